"""Fixtures for the studio tests: a real studio process, real headless Chromium, a longer clip.

Nothing skips: without Chromium and its driver the tests fail and say what to install, because
CI installs them (install/system-deps.sh).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.browser import Browser, missing
from tests.support.studio import Studio

LONG_LOOPS = 4
"""The long clip is lucia this many times over: long enough to be caught mid-job."""


@pytest.fixture(scope="session", autouse=True)
def _require_ffmpeg(ffmpeg: None) -> None:
    """The studio decodes and encodes with ffmpeg, and the tests compare its frames."""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for a module's tests (a fresh profile)."""
    absent = missing()
    if absent:
        pytest.fail(
            f"{' and '.join(absent)} not found: the studio tests drive Debian's Chromium "
            "(apt-get install -y chromium chromium-driver, or bash install/system-deps.sh).",
            pytrace=False,
        )
    browser = Browser(tmp_path_factory.mktemp("browser"))
    yield browser
    browser.quit()


StudioFactory = Callable[..., Studio]


@pytest.fixture(scope="module")
def studio_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioFactory]:
    """``studio_factory(folder, *args)`` starts a studio; every one is stopped after the module."""
    made: list[Studio] = []

    def make(folder: Path | None = None, *args: object) -> Studio:
        studio = Studio(folder or tmp_path_factory.mktemp("studio"), *args).start()
        made.append(studio)
        return studio

    yield make
    for studio in made:
        studio.stop()


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory: pytest.TempPathFactory, lucia_clip: Path) -> Path:
    """lucia, :data:`LONG_LOOPS` times over (280 frames of 854x480), made once per session."""
    target = tmp_path_factory.mktemp("long") / "long-lucia.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-stream_loop", str(LONG_LOOPS - 1), "-i", str(lucia_clip)),
            *("-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-an", str(target)),
        ],
        check=True,
    )
    return target
