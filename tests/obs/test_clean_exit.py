"""OBS exits cleanly with the filter running, however it is closed, run after run.

Each run starts OBS with a 720x1280 (portrait) canvas playing the real lucia clip, the filter
compositing on it, then closes OBS one way: the main window (File > Exit), SIGINT to OBS's
process group (Ctrl+C in the terminal OBS runs in: the worker gets it too) or SIGTERM to OBS
alone (``kill``, a session ending). A clean exit is exit code 0 and OBS's own
"Number of memory leaks: 0" line. The same runs without the filter tell whether an unclean exit
is the filter's doing.

``make test`` closes OBS :data:`FEW` times each way; ``make test-obs-matrix`` :data:`MANY` times
(marker ``matrix``), with and without the filter.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from tests.support.obs import CLEAN_EXIT_LINE, Obs, ObsFactory
from tests.support.paths import SCRIPT
from tests.support.rig import GREEN, KIND, composites

FEW, MANY = 2, 10
WAYS = ("window", "sigint", "sigterm")


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
        obs = factory(f"{way}-{'filter' if with_filter else 'plain'}-{run}", width=720, height=1280)
        obs.add_media("clip", clip)
        if with_filter:
            obs.add_filter("clip", "bg", KIND, GREEN)
            obs.wait_rendering("clip", ready=composites(GREEN))
        else:
            obs.wait_rendering("clip")
        code = _close(obs, way)
        leaks = CLEAN_EXIT_LINE in obs.run_log
        unclean = f"exit {code}, leak line {'seen' if leaks else 'missing'}"
        ends["clean" if code == 0 and leaks else unclean] += 1
    return ends


@pytest.mark.parametrize("way", WAYS)
def test_obs_exits_cleanly_with_the_filter(obs_factory: ObsFactory, lucia_clip: Path, way: str) -> None:
    ends = _exits(_with_script(obs_factory), lucia_clip, way, FEW, with_filter=True)
    assert ends == {"clean": FEW}, f"closing OBS by {way}: {dict(ends)}"


@pytest.mark.matrix
@pytest.mark.parametrize("with_filter", [True, False], ids=["filter", "no-filter"])
@pytest.mark.parametrize("way", WAYS)
def test_obs_exits_cleanly_run_after_run(
    obs_factory: ObsFactory, lucia_clip: Path, way: str, with_filter: bool
) -> None:
    factory = _with_script(obs_factory) if with_filter else obs_factory
    ends = _exits(factory, lucia_clip, way, MANY, with_filter)
    print(f"{way}, {'with' if with_filter else 'without'} the filter: {dict(ends)}")
    assert ends == {"clean": MANY}, f"closing OBS by {way} {MANY} times: {dict(ends)}"


def _with_script(factory: ObsFactory) -> ObsFactory:
    def make(name: str, **kwargs: object) -> Obs:
        return factory(name, scripts=[SCRIPT], **kwargs)

    return make
