"""OBS exits with the filter running as it exits without it, however it is closed, run after run.

Each run starts OBS with a 720x1280 (portrait) canvas playing the real lucia clip, the filter
compositing on it, then closes OBS one way: the main window (File > Exit), SIGINT to OBS's
process group (Ctrl+C in the terminal OBS runs in: the worker gets it too) or SIGTERM to OBS
alone (``kill``, a session ending). A clean exit is exit code 0 and OBS's own
"Number of memory leaks: 0" line; and no worker outlives OBS, however it ended.

What OBS itself does with a signal differs by version, whatever the scripts:

- SIGTERM: OBS 29 and 30 install no handler (UI/obs-app.cpp), so the process dies of the
  signal (exit -15, no leak line) with or without the filter; OBS 32 handles it
  (frontend/obs-main.cpp ``setupSignalHandler(..., SIGTERM)``) and must exit cleanly.
- SIGINT: OBS 30+ hands it to Qt's event loop and must exit cleanly. OBS 29.0.2's
  ``ctrlc_handler`` calls ``main->close()`` inside the signal handler; now and then a posted Qt
  event then reaches a widget that is gone (exit -11; caught in gdb: only libQt5Widgets frames
  on the UI thread, ``QWidget::event`` from ``sendPostedEvents``, no Python or filter frame), 1
  run in 30 here with the filter, 3 in 20 without any script in earlier runs. That case is an
  expected failure on 29 (reported as XFAIL / XPASS, never as passed).

``make test`` closes OBS :data:`FEW` times each way with the filter; ``make test-obs-matrix``
:data:`MANY` times each way, with and without the filter (marker ``matrix``), and prints the
counts.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from tests.support.obs import CLEAN_EXIT_LINE, Obs, ObsFactory, installed_version
from tests.support.paths import SCRIPT
from tests.support.rig import GREEN, KIND, composites, wait_gone, worker_pids

FEW, MANY = 2, 10
WAYS = ("window", "sigint", "sigterm")
CLEAN = "clean"
KILLED_BY_SIGTERM = f"exit {-signal.SIGTERM}, leak line missing"


def _expected(way: str, request: pytest.FixtureRequest) -> str:
    """How OBS ends when closed ``way``, by its version (see the module docstring).

    SIGINT on OBS 29 still runs every time; it is only reported as XFAIL / XPASS.
    """
    major = int(installed_version().split(".")[0])
    if way == "sigterm" and major < 32:
        return KILLED_BY_SIGTERM
    if way == "sigint" and major < 30:
        reason = "OBS 29.0.2 shuts down inside its SIGINT handler and now and then crashes in Qt"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=False))
    return CLEAN


def _close(obs: Obs, way: str) -> int:
    if way == "window":
        return obs.stop()
    if way == "sigint":
        return obs.stop_by_signal(signal.SIGINT, group=True)
    return obs.stop_by_signal(signal.SIGTERM)


def _exits(factory: ObsFactory, clip: Path, way: str, runs: int, with_filter: bool) -> Counter[str]:
    """How each of ``runs`` runs ended: "clean", or the exit code and whether the leak line came."""
    ends: Counter[str] = Counter()
    for run in range(runs):
        name = f"{way}-{'filter' if with_filter else 'plain'}-{run}"
        obs = factory(name, scripts=[SCRIPT] if with_filter else [], width=720, height=1280)
        obs.add_media("clip", clip)
        if with_filter:
            obs.add_filter("clip", "bg", KIND, GREEN)
            obs.wait_rendering("clip", ready=composites(GREEN))
        else:
            obs.wait_rendering("clip")
        code = _close(obs, way)
        leaks = CLEAN_EXIT_LINE in obs.run_log
        for pid in worker_pids(obs):
            wait_gone(pid, f"worker {pid} exiting after OBS ({way})")
        unclean = f"exit {code}, leak line {'seen' if leaks else 'missing'}"
        ends[CLEAN if code == 0 and leaks else unclean] += 1
    return ends


@pytest.mark.parametrize("way", WAYS)
def test_obs_exits_as_usual_with_the_filter(
    obs_factory: ObsFactory, lucia_clip: Path, way: str, request: pytest.FixtureRequest
) -> None:
    expected = _expected(way, request)
    ends = _exits(obs_factory, lucia_clip, way, FEW, with_filter=True)
    assert ends == {expected: FEW}, f"closing OBS by {way}: {dict(ends)}"


@pytest.mark.matrix
@pytest.mark.parametrize("with_filter", [True, False], ids=["filter", "no-filter"])
@pytest.mark.parametrize("way", WAYS)
def test_obs_exits_as_usual_run_after_run(
    obs_factory: ObsFactory, lucia_clip: Path, way: str, with_filter: bool, request: pytest.FixtureRequest
) -> None:
    expected = _expected(way, request)
    ends = _exits(obs_factory, lucia_clip, way, MANY, with_filter)
    print(f"OBS {installed_version()}, {way}, with{'' if with_filter else 'out'} the filter: {dict(ends)}")
    assert ends == {expected: MANY}, f"closing OBS by {way} {MANY} times: {dict(ends)}"
