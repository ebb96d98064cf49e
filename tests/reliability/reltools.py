"""Helpers and shared test data for the reliability tests: the media it describes, a measured CLI run.

A module of its own (not conftest) so test modules can import it by a name no other test folder uses.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from tests.support.clirun import TIMEOUT_SECONDS, Run

PERSON = "105.jpg"
"""The shared photo used as the input image (one person, plenty of background around them)."""

HUGE_SIDE = 16384

GIF_COLOURS_RGB = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
CMYK_COLOUR = (0, 128, 255, 0)
DEEP_COLOUR_BGR = (0.2, 0.5, 0.8)
"""The 16-bit PNG's colour as fractions of full scale (blue, green, red)."""
GREY_LEVEL = 77


PEAK_MAIN = Path(__file__).resolve().with_name("peak_main.py")


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
