"""Unusual but valid input (issue 5, item 4): accepted, and the result is what the user meant.

- A background picture in CMYK, 16 bits per channel or greyscale is shown in its true colour.
- An animated GIF as ``--image`` shows its first frame; as ``--video`` it plays and loops.
- A still picture as ``--video`` is a background that does not move.
- Unicode and spaces in every path work.
- A truncated input video gives the frames that could be read, with a warning, not an error.

Colours are checked on the pixels far from the person in the hand-made mask, with light wrap
off, where the output must be exactly the background.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from reltools import CMYK_COLOUR, DEEP_COLOUR_BGR, GIF_COLOURS_RGB, GREY_LEVEL, Media, sure_background

TOLERANCE = 3
"""Grey levels of slack for JPEG and colour conversion rounding on a flat colour."""
VIDEO_TOLERANCE = 12
"""H.264 at CRF 18 in 4:2:0 moves a flat colour by a few levels, more at saturated chroma."""


def _cmyk_as_bgr() -> tuple[int, ...]:
    r, g, b = Image.new("CMYK", (1, 1), CMYK_COLOUR).convert("RGB").getpixel((0, 0))
    return b, g, r


EXPECTED_BGR = {
    "cmyk.jpg": _cmyk_as_bgr(),
    "deep16.png": tuple(round(f * 255) for f in DEEP_COLOUR_BGR),
    "grey.png": (GREY_LEVEL,) * 3,
    "anim.gif": tuple(reversed(GIF_COLOURS_RGB[0])),
}


def _background_colour(image: np.ndarray, media: Media) -> np.ndarray:
    region = sure_background(media.person_truth, image.shape)
    return np.median(image[region], axis=0)


@pytest.mark.parametrize("name", list(EXPECTED_BGR))
def test_background_image_in_its_true_colour(cli, media: Media, tmp_path: Path, name: str) -> None:
    out = tmp_path / "o.png"
    run = cli(
        "process", media.person, out, "--background", "image", "--image", media / name, "--light-wrap", "0"
    )
    assert run.code == 0, run.err
    seen = _background_colour(cv2.imread(str(out)), media)
    assert np.abs(seen - EXPECTED_BGR[name]).max() <= TOLERANCE, (seen, EXPECTED_BGR[name])


def _video_backgrounds(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    colours = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        region = np.zeros(frame.shape[:2], bool)
        region[:, :40] = True  # the clip's person stays in the middle; its left edge is background
        colours.append(np.median(frame[region], axis=0))
    capture.release()
    return colours


def test_animated_gif_as_video_background_plays_and_loops(cli, media: Media, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    run = cli("process", media.clip, out, "--background", "video", "--video", media / "anim.gif")
    assert run.code == 0, run.err
    colours = _video_backgrounds(out)
    expected = [np.array(tuple(reversed(rgb))) for rgb in GIF_COLOURS_RGB]
    nearest = [int(np.argmin([np.abs(c - e).max() for e in expected])) for c in colours]
    assert all(
        np.abs(c - expected[n]).max() <= VIDEO_TOLERANCE for c, n in zip(colours, nearest, strict=True)
    )
    assert nearest[0] == 0, "the first output frame shows the GIF's first frame"
    assert set(nearest) == {0, 1, 2}, "every GIF frame is shown"
    assert len(colours) > 3 * 3 and nearest.count(0) > 3, "a 24-frame run outlasts the GIF, so it loops"


def test_still_picture_as_video_background_stands_still(cli, media: Media, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    run = cli("process", media.clip, out, "--background", "video", "--video", media / "grey.png")
    assert run.code == 0, run.err
    colours = np.array(_video_backgrounds(out))
    assert np.abs(colours - GREY_LEVEL).max() <= VIDEO_TOLERANCE


def test_unicode_and_spaces_in_every_path(cli, media: Media, tmp_path: Path) -> None:
    folder = tmp_path / "ünïcødé folder ✓"
    folder.mkdir()
    clip = Path(shutil.copy(media.clip, folder / "clip with spaces ünï.mp4"))
    background = Path(shutil.copy(media / "grey.png", folder / "фон 背景.png"))
    out = folder / "résultat final ✓.mp4"
    run = cli("process", clip, out, "--background", "image", "--image", background)
    assert run.code == 0, run.err
    assert str(out) in run.out
    assert cv2.VideoCapture(str(out)).get(cv2.CAP_PROP_FRAME_COUNT) == 24


def test_truncated_video_gives_what_could_be_read_with_a_warning(cli, media: Media, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    run = cli("process", media / "half.mp4", out)
    assert run.code == 0, run.err
    assert run.err.startswith("bgremove: warning: ") and "may be truncated" in run.err, run.err
    written = int(cv2.VideoCapture(str(out)).get(cv2.CAP_PROP_FRAME_COUNT))
    assert 0 < written < 24
    assert f"ended after {written} of its 24 frames" in run.err
