"""Fixtures for the reliability tests: a folder of unusual files, made once (the broken ones a user
gets wrong are tests/cli's, with the one bad-input table).

Every odd file is made here from the shared data (or from nothing), so each test names the file
it feeds the CLI and the reader sees at once what "truncated" or "CMYK" means.
"""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from reltools import (
    CMYK_COLOUR,
    DEEP_COLOUR_BGR,
    GIF_COLOURS_RGB,
    GREY_LEVEL,
    HUGE_SIDE,
    PERSON,
    Media,
)

from tests.support.images import run_ffmpeg


@pytest.fixture(scope="session", autouse=True)
def _require_ffmpeg(ffmpeg: None) -> None:
    """Every test here makes or checks media with ffmpeg."""


def _png_of_zeros(path: Path, width: int, height: int) -> None:
    """A black RGB PNG of any size, streamed row by row: tiny on disk, huge once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = bytes(1 + 3 * width)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Media:
    """Good and unusual inputs and backgrounds, a truncated clip and a 16k image, made once per session."""
    d = tmp_path_factory.mktemp("media")
    person = Path(shutil.copy(shared_data / "people" / "images" / PERSON, d / "person.jpg"))
    clip = d / "clip.mp4"
    run_ffmpeg(
        *("-i", shared_data / "clips" / "lucia.mp4", "-f", "lavfi", "-i", "sine=frequency=440"),
        *("-t", "1", "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-c:a", "aac"),
        *("-movflags", "+faststart", clip),
    )

    (d / "half.mp4").write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    _png_of_zeros(d / "huge.png", HUGE_SIDE, HUGE_SIDE)

    frames = [Image.new("RGB", (160, 120), colour) for colour in GIF_COLOURS_RGB]
    frames[0].save(d / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    Image.new("CMYK", (320, 240), CMYK_COLOUR).save(d / "cmyk.jpg")
    deep = np.empty((240, 320, 3), np.uint16)
    deep[:] = [round(f * 65535) for f in DEEP_COLOUR_BGR]
    cv2.imwrite(str(d / "deep16.png"), deep)
    cv2.imwrite(str(d / "grey.png"), np.full((240, 320), GREY_LEVEL, np.uint8))

    return Media(d, person, shared_data / "people" / "masks" / PERSON.replace(".jpg", ".png"), clip)
