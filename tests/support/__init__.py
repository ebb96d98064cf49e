"""Test support for bgremove: the real-OBS harness, test media and the one fixture set.

A package (not conftest files reached through ``sys.path``) so tests, ``bench/`` and ``docs/``
import the same code: ``from tests.support.obs import Obs``. The fixtures live in
:mod:`tests.support.fixtures`, loaded by ``tests/conftest.py`` as a pytest plugin.
"""
