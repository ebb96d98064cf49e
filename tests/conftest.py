"""Fixtures shared by every test folder: the shared development data, and running the CLI."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from clirun import Run

from bgremove_core.cli.main import main

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared people photos and clip beside the checkout (read-only, never copied)."""
    if not (SHARED_DATA / "clips" / "lucia.mp4").is_file():
        pytest.fail(f"The shared development data is missing at {SHARED_DATA.resolve()}.", pytrace=False)
    return SHARED_DATA


@pytest.fixture(scope="session")
def ffmpeg() -> None:
    """Fail (never skip) when ffmpeg is missing: the CLI tests make and check media with it."""
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        pytest.fail("ffmpeg and ffprobe must be on PATH to make and check test media.", pytrace=False)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``bgremove ARGS`` in this process (MediaPipe loads once per session); returns a Run."""

    def run(*args: object) -> Run:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
