"""What the OBS side and the worker share: ``channel`` (the shared-memory mailboxes), ``protocol``
(their messages), ``formats`` (OBS frame layouts), ``fence`` (the memory barrier between them).

Standard library and the core's standard-library modules (``limits``, ``looks``) only, importing
neither :mod:`bgremove_obs.host` nor :mod:`bgremove_obs.worker`, so either process can load it alone.
"""
