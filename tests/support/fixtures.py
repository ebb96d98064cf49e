"""The one fixture set of the suite, loaded by ``tests/conftest.py`` (``pytest_plugins``).

Nothing here skips silently: when OBS, Xvfb, ffmpeg or the shared data are missing the tests
FAIL and say what to install, because CI installs them and a green run without them would prove
nothing. Set ``BGREMOVE_SKIP_OBS=1`` to skip the real-OBS tests on purpose (the skip reason names
the variable). Every test that needs OBS (``require_obs``, directly or through ``obs_factory`` /
``module_obs_factory``) is marked ``obs`` at collection, so ``-m "not obs"`` deselects it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from bgremove_core.cli.main import main

from .clirun import Run
from .images import STILL_FRAME, hand_mask, still_clip
from .obs import Obs, ObsFactory, missing_binaries
from .paths import LUCIA, SHARED_DATA

SKIP_ENV = "BGREMOVE_SKIP_OBS"
FAILURE_LOG_LINES = 200
_INSTANCES = pytest.StashKey[list[Obs]]()
OBS_FIXTURES = frozenset({"require_obs", "obs_factory", "module_obs_factory"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs a real OBS ``obs`` (it uses one of :data:`OBS_FIXTURES`)."""
    for item in items:
        if OBS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.obs)


# ---------------------------------------------------------------------- data and tools
@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared people photos and clips beside the checkout (read-only, never copied)."""
    if not LUCIA.is_file():
        pytest.fail(
            f"The shared development data is missing at {SHARED_DATA} (expected ../shared/data "
            "next to the repository).",
            pytrace=False,
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def lucia_clip(shared_data: Path) -> Path:
    """A real 854x480, 24 fps, 70-frame clip of a person (frames and masks sit beside it)."""
    return LUCIA


@pytest.fixture(scope="session")
def ffmpeg() -> None:
    """Fail (never skip) when ffmpeg is missing: tests make and check media with it."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg and ffprobe must be on PATH to make and check test media.", pytrace=False)


@pytest.fixture(scope="session")
def still_lucia(tmp_path_factory: pytest.TempPathFactory, shared_data: Path, ffmpeg: None) -> Path:
    """A lossless clip of one real lucia frame repeated (see :func:`tests.support.images.still_clip`)."""
    return still_clip(tmp_path_factory.mktemp("still") / "still-lucia.mp4")


@pytest.fixture(scope="session")
def still_lucia_mask(shared_data: Path) -> np.ndarray:
    """The hand-drawn mask of the frame :func:`still_lucia` shows (True = person)."""
    return hand_mask(STILL_FRAME)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``bgremove ARGS`` in this process (MediaPipe loads once per session); returns a Run."""

    def run(*args: object) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# ---------------------------------------------------------------------- real OBS
@pytest.fixture(scope="session")
def require_obs() -> None:
    """Fail (not skip) when OBS or Xvfb is missing, unless the skip is asked for explicitly."""
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: real-OBS tests skipped on request.")
    missing = missing_binaries()
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not found on PATH: the real-OBS tests need OBS Studio and "
            f"Xvfb (Debian/Ubuntu: apt-get install -y obs-studio xvfb). Set {SKIP_ENV}=1 to skip "
            "them explicitly.",
            pytrace=False,
        )


def _factory(directory: Path, made: list[Obs]) -> ObsFactory:
    def make(name: str = "obs", *, start: bool = True, **kwargs: object) -> Obs:
        obs = Obs(directory / name, **kwargs)  # type: ignore[arg-type]
        made.append(obs)
        if start:
            obs.start()
        return obs

    return make


@pytest.fixture
def obs_factory(request: pytest.FixtureRequest, tmp_path: Path, require_obs: None) -> Iterator[ObsFactory]:
    """Make :class:`Obs` instances in the test's tmp dir; all are stopped at teardown.

    ``obs_factory(name="obs", *, start=True, **Obs kwargs)`` returns the instance, started
    unless ``start=False``. On failure the report shows each instance's log tail and where its
    log and screenshots are.
    """
    made: list[Obs] = []
    request.node.stash[_INSTANCES] = made
    yield _factory(tmp_path, made)
    for obs in made:
        obs.stop()


@pytest.fixture(scope="module")
def module_obs_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, require_obs: None
) -> Iterator[ObsFactory]:
    """Like ``obs_factory``, for one OBS shared by a module's tests (stopped after the module).

    Each test of the module that fails gets the shared instances' log tails in its report.
    """
    made: list[Obs] = []
    request.node.stash[_INSTANCES] = made  # the module's node: see pytest_runtest_makereport
    yield _factory(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]), made)
    for obs in made:
        obs.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure attach each OBS's log tail and the paths of its full log and screenshots."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    module = item.getparent(pytest.Module)
    shared = module.stash.get(_INSTANCES, []) if module is not None else []
    for obs in [*item.stash.get(_INSTANCES, []), *shared]:
        report.sections.append((f"OBS {obs.workdir.name}: log tail", obs.log_tail(FAILURE_LOG_LINES)))
        report.sections.append(
            (f"OBS {obs.workdir.name}: files", f"full log: {obs.log_path}\nscreenshots: {obs.screenshot_dir}")
        )
