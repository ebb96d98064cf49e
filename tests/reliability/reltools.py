"""Helpers and shared test data for the reliability tests: the media it describes, CLI runners.

A module of its own (not conftest) so test modules can import it by a name no other test folder uses.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from tests.support.clirun import Run

PERSON = "105.jpg"
"""The shared photo used as the input image (one person, plenty of background around them)."""

HUGE_SIDE = 16384

GIF_COLOURS_RGB = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
CMYK_COLOUR = (0, 128, 255, 0)
DEEP_COLOUR_BGR = (0.2, 0.5, 0.8)
"""The 16-bit PNG's colour as fractions of full scale (blue, green, red)."""
GREY_LEVEL = 77


CLI = (sys.executable, "-m", "bgremove_core.cli")
PEAK_MAIN = Path(__file__).resolve().with_name("peak_main.py")
TIMEOUT_SECONDS = 120
ERROR_PREFIX = "bgremove: error: "


def run_cli(
    args: Sequence[object],
    *,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Run:
    """Run ``[prefix...] python -m bgremove_core.cli ARGS`` as a child process."""
    started = time.perf_counter()
    proc = subprocess.run(
        [*prefix, *CLI, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=TIMEOUT_SECONDS,
        preexec_fn=preexec_fn,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)


def run_measured(args: Sequence[object]) -> Run:
    """Run the CLI as a child and report its time and its own peak resident memory (peak_main.py)."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(PEAK_MAIN), str(peak_file), *map(str, args)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_SECONDS,
        )
        seconds = time.perf_counter() - started
        return Run(proc.returncode, proc.stdout, proc.stderr, seconds, int(peak_file.read_text()) / 1024)


def assert_refused(run: Run, words: str) -> None:
    """The run failed the way every refusal must: exit 2, our sentence last, no traceback."""
    assert run.code == 2, (run.code, run.err[-2000:])
    assert run.error_line.startswith(ERROR_PREFIX), run.err[-2000:]
    assert words in run.error_line, run.error_line
    assert "Traceback" not in run.err


def leftovers(folder: Path) -> list[str]:
    """Temporary files a run may have left in ``folder`` (must always be none)."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under ``folder``, to prove a run changed nothing there."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@dataclass(frozen=True)
class Media:
    """The test media folder (never written by a test) and the files in it that tests name."""

    folder: Path
    person: Path
    person_truth: Path
    clip: Path

    def __truediv__(self, name: str) -> Path:
        return self.folder / name


def sure_background(truth_path: Path, shape: tuple[int, ...], margin: int = 25) -> np.ndarray:
    """Pixels far from the person in the hand-made mask, where the output must be the background."""
    truth = cv2.imread(str(truth_path), cv2.IMREAD_GRAYSCALE)
    truth = cv2.resize(truth, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST) > 127
    return cv2.erode((~truth).astype(np.uint8), np.ones((margin, margin), np.uint8)) > 0
