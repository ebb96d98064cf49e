"""Fixtures for the real-OBS suite (every test under tests/obs is marked ``obs``).

Nothing here skips silently: if OBS or Xvfb is missing the tests FAIL and say what to install,
because CI installs both and a green run without OBS would prove nothing. Set
``BGREMOVE_SKIP_OBS=1`` to skip them on purpose (the skip reason names the variable).

Test modules import the harness as ``from harness import Obs`` (pytest puts this directory on
``sys.path``, there is no ``__init__.py`` here).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Obs, ObsFactory, missing_binaries

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED_DATA = REPO / ".." / "shared" / "data"
SKIP_ENV = "BGREMOVE_SKIP_OBS"
FAILURE_LOG_LINES = 200
_INSTANCES = pytest.StashKey[list[Obs]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``obs`` so ``-m "not obs"`` deselects the whole suite."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.obs)


@pytest.fixture(autouse=True)
def _require_obs() -> None:
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


@pytest.fixture
def obs_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObsFactory]:
    """Make :class:`Obs` instances in the test's tmp dir; all are stopped at teardown.

    ``obs_factory(name="obs", *, start=True, **Obs kwargs)`` returns the instance, started
    unless ``start=False``. On failure the report shows each instance's log tail and where its
    log and screenshots are.
    """
    made: list[Obs] = []
    request.node.stash[_INSTANCES] = made

    def make(name: str = "obs", *, start: bool = True, **kwargs: object) -> Obs:
        obs = Obs(tmp_path / name, **kwargs)  # type: ignore[arg-type]
        made.append(obs)
        if start:
            obs.start()
        return obs

    yield make
    for obs in made:
        obs.stop()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The team's shared real data (people photos with masks, the lucia clip)."""
    path = SHARED_DATA.resolve()
    if not path.is_dir():
        pytest.fail(
            f"Shared test data not found at {path} (expected ../shared/data next to the repository).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def lucia_clip(shared_data: Path) -> Path:
    """A real 854x480, 24 fps, 70-frame clip of a person (frames and masks sit beside it)."""
    path = shared_data / "clips" / "lucia.mp4"
    if not path.is_file():
        pytest.fail(f"Test clip not found at {path}.", pytrace=False)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure attach each OBS's log tail and the paths of its full log and screenshots."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.failed:
        return
    for obs in item.stash.get(_INSTANCES, []):
        report.sections.append((f"OBS {obs.workdir.name}: log tail", obs.log_tail(FAILURE_LOG_LINES)))
        report.sections.append(
            (
                f"OBS {obs.workdir.name}: files",
                f"full log: {obs.log_path}\nscreenshots: {obs.screenshot_dir}",
            )
        )
