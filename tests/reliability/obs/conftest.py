"""Fixtures for the OBS filter's reliability suite (soak, churn, faults, no network).

Every test here drives real OBS under Xvfb through the harness of ``tests/obs`` and is marked
``obs`` (``-m "not obs"`` deselects it with the rest of the real-OBS suite). The fixtures of
``tests/obs/conftest.py`` (``obs_factory``, the OBS/Xvfb check that fails rather than skips,
``lucia_clip``, log tails on failure) are loaded from that file and re-exported, not restated.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
OBS_TESTS = HERE.parents[1] / "obs"
sys.path.insert(0, str(OBS_TESTS))  # `from harness import Obs`, as in tests/obs

_spec = importlib.util.spec_from_file_location("bgremove_obs_suite_conftest", OBS_TESTS / "conftest.py")
assert _spec is not None and _spec.loader is not None
_obs_suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_obs_suite)

_require_obs = _obs_suite._require_obs
obs_factory = _obs_suite.obs_factory
lucia_clip = _obs_suite.lucia_clip
pytest_runtest_makereport = _obs_suite.pytest_runtest_makereport


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``obs``, like the rest of the real-OBS suite."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.obs)
