"""Worker-side conversion of OBS frame planes to BGR, checked on a real frame (no OBS needed).

The frame is encoded with OpenCV's BT.601 limited-range converter and decoded by the worker with
the matrix OBS hands over for such frames, so the round trip must land back on the original
picture up to chroma subsampling and rounding.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from bgremove_obs.wire import formats
from bgremove_obs.wire.formats import FORMATS, plane_sizes
from bgremove_obs.wire.protocol import COLOUR_INFO, FrameMeta
from bgremove_obs.worker.convert import to_bgr, work_size

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
_Y = 255 / 219
_BT601_LIMITED = (
    (_Y, 0.0, 1.596027, -_Y * 16 / 255 - 1.596027 * 0.5),
    (_Y, -0.391762, -0.812968, -_Y * 16 / 255 + (0.391762 + 0.812968) * 0.5),
    (_Y, 2.017232, 0.0, -_Y * 16 / 255 - 2.017232 * 0.5),
    (0.0, 0.0, 0.0, 1.0),
)
COLOUR = COLOUR_INFO.pack(*np.ravel(_BT601_LIMITED), *(16 / 255,) * 3, 235 / 255, 240 / 255, 240 / 255)
MAX_MEAN_ERROR = 3.0
"""Grey levels: 4:2:0 / 4:2:2 chroma and two roundings cost about 1-2 on a natural picture."""


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    path = sorted((SHARED / "clips" / "lucia_frames").glob("*.jpg"))[20]
    image = cv2.imread(str(path))
    assert image is not None, f"cannot read {path}"
    return image


def _planes(frame: np.ndarray, fmt: int) -> tuple[list[bytes], tuple[int, int, int]]:
    h, w = frame.shape[:2]
    i420 = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).reshape(-1)
    y = i420[: w * h].reshape(h, w)
    u = i420[w * h : w * h * 5 // 4].reshape(h // 2, w // 2)
    v = i420[w * h * 5 // 4 :].reshape(h // 2, w // 2)
    if fmt == formats.VIDEO_FORMAT_I420:
        return [y.tobytes(), u.tobytes(), v.tobytes()], (w, w // 2, w // 2)
    if fmt == formats.VIDEO_FORMAT_I422:
        u, v = np.repeat(u, 2, axis=0), np.repeat(v, 2, axis=0)
        return [y.tobytes(), u.tobytes(), v.tobytes()], (w, w // 2, w // 2)
    if fmt == formats.VIDEO_FORMAT_I010:  # 10 bits in the low bits of little-endian 16-bit samples
        y, u, v = (plane.astype("<u2") << 2 for plane in (y, u, v))
        return [y.tobytes(), u.tobytes(), v.tobytes()], (w * 2, w, w)
    if fmt == formats.VIDEO_FORMAT_P010:  # 10 bits in the high bits
        y, uv = (plane.astype("<u2") << 8 for plane in (y, np.dstack((u, v))))
        return [y.tobytes(), uv.tobytes()], (w * 2, w * 2, 0)
    if fmt == formats.VIDEO_FORMAT_NV12:
        return [y.tobytes(), np.dstack((u, v)).tobytes()], (w, w, 0)
    if fmt == formats.VIDEO_FORMAT_YUY2:
        full_u, full_v = np.repeat(u, 2, axis=0), np.repeat(v, 2, axis=0)
        packed = np.dstack((y[:, 0::2], full_u, y[:, 1::2], full_v))
        return [packed.tobytes()], (w * 2, 0, 0)
    if fmt == formats.VIDEO_FORMAT_BGRA:
        return [cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA).tobytes()], (w * 4, 0, 0)
    return [cv2.cvtColor(frame, cv2.COLOR_BGR2RGBA).tobytes()], (w * 4, 0, 0)


@pytest.mark.parametrize(
    "fmt",
    [
        formats.VIDEO_FORMAT_I420,
        formats.VIDEO_FORMAT_I422,
        formats.VIDEO_FORMAT_I010,
        formats.VIDEO_FORMAT_P010,
        formats.VIDEO_FORMAT_NV12,
        formats.VIDEO_FORMAT_YUY2,
        formats.VIDEO_FORMAT_BGRA,
        formats.VIDEO_FORMAT_RGBA,
    ],
)
def test_round_trip_to_bgr(frame: np.ndarray, fmt: int) -> None:
    h, w = frame.shape[:2]
    planes, linesizes = _planes(frame, fmt)
    assert tuple(len(p) for p in planes) == plane_sizes(FORMATS[fmt], h, linesizes)
    meta = FrameMeta(1, w, h, fmt, *linesizes)
    out = to_bgr(meta, memoryview(COLOUR + b"".join(planes)))
    expected = cv2.resize(frame, work_size(w, h), interpolation=cv2.INTER_AREA)
    assert out.shape == expected.shape
    error = np.abs(out.astype(np.int16) - expected).mean()
    assert error < MAX_MEAN_ERROR, f"{FORMATS[fmt].name}: mean error {error:.2f}"


def test_frames_are_converted_at_the_work_size_the_core_refines_at() -> None:
    assert work_size(1280, 720) == (640, 360)
    assert work_size(1920, 1080) == (480, 270)
    assert work_size(320, 240) == (320, 240)


def test_colours_outside_rgb_saturate_like_the_shader() -> None:
    """Y 16, U 255, V 255 (limited range) has a strongly negative green: it must come out 0,
    as OBS's shader draws it, not mirrored to a positive value."""
    w, h = 64, 48
    y, chroma = np.full(w * h, 16, np.uint8), np.full(w * h // 4, 255, np.uint8)
    meta = FrameMeta(1, w, h, formats.VIDEO_FORMAT_I420, w, w // 2, w // 2)
    out = to_bgr(meta, memoryview(COLOUR + y.tobytes() + chroma.tobytes() + chroma.tobytes()))
    blue, green, red = out[h // 2, w // 2]
    assert green == 0, f"green {green}"
    assert blue > 150 and red > 150, f"blue {blue}, red {red}"
