"""Which frames the worker refuses to read as a picture, and the colour range a full-range frame gets.

Frames are real: a lucia frame converted by OpenCV to I420, handed over in the layout OBS uses,
and the colour description made from a real ``struct obs_source_frame`` (:class:`ObsSourceFrame`)
filled the way libobs fills it.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from bgremove_obs.host import libobs
from bgremove_obs.host.colour import colour_info
from bgremove_obs.wire import formats
from bgremove_obs.wire.protocol import COLOUR_INFO, FrameMeta
from bgremove_obs.worker.framecheck import problem

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
W, H = 854, 480
FULL_RANGE_BT601 = (
    *(1.0, 0.0, 1.402, -0.7037),
    *(1.0, -0.3441, -0.7141, 0.5312),
    *(1.0, 1.772, 0.0, -0.8895),
    *(0.0, 0.0, 0.0, 1.0),
)
"""The matrix libobs hands a full-range BT.601 frame (logged from OBS 29.0.2 and 30.2.3)."""


@pytest.fixture(scope="module")
def planes() -> bytes:
    image = cv2.imread(str(SHARED / "clips" / "lucia_frames" / "00010.jpg"))
    assert image is not None
    return cv2.cvtColor(image[:H, :W], cv2.COLOR_BGR2YUV_I420).tobytes()


def _frame(full_range: bool) -> libobs.ObsSourceFrame:
    """An obs_source_frame as a filter gets it from libobs's async cache: range clamps zero."""
    frame = libobs.ObsSourceFrame()
    frame.format, frame.width, frame.height = formats.VIDEO_FORMAT_I420, W, H
    frame.color_matrix[:] = FULL_RANGE_BT601
    frame.full_range = full_range
    return frame


I420 = FrameMeta(1, W, H, formats.VIDEO_FORMAT_I420, W, W // 2, W // 2)


def test_a_full_range_frame_is_read_with_the_whole_range(planes: bytes) -> None:
    colour = colour_info(_frame(full_range=True))
    assert COLOUR_INFO.unpack(colour)[16:] == (0.0, 0.0, 0.0, 1.0, 1.0, 1.0)
    assert problem(I420, memoryview(colour + planes)) == ""


def test_a_limited_range_frame_keeps_its_clamps() -> None:
    frame = _frame(full_range=False)
    frame.color_range_min[:] = (16 / 255,) * 3
    frame.color_range_max[:] = (235 / 255, 240 / 255, 240 / 255)
    low_high = COLOUR_INFO.unpack(colour_info(frame))[16:]
    assert low_high == pytest.approx((16 / 255,) * 3 + (235 / 255, 240 / 255, 240 / 255))


def test_zero_range_clamps_are_refused(planes: bytes) -> None:
    """What the filter sent for every full-range frame before: every pixel clamped to zero."""
    frame = _frame(full_range=True)
    raw = COLOUR_INFO.pack(*frame.color_matrix, *frame.color_range_min, *frame.color_range_max)
    said = problem(I420, memoryview(raw + planes))
    assert "I420 854x480" in said and "colour range is empty" in said and "passes through" in said


def test_an_all_zero_yuv_frame_is_refused() -> None:
    colour = colour_info(_frame(full_range=True))
    assert "every byte is zero" in problem(I420, memoryview(colour + bytes(W * H * 3 // 2)))


def test_an_all_zero_rgb_frame_is_a_picture() -> None:
    """Transparent black is what an empty sync source reads back as: nothing wrong with it."""
    meta = FrameMeta(1, 64, 32, formats.VIDEO_FORMAT_RGBA, 256, 0, 0)
    assert problem(meta, memoryview(bytes(COLOUR_INFO.size + 256 * 32))) == ""


@pytest.mark.parametrize(
    ("meta", "length", "expected"),
    [
        (FrameMeta(1, W, H, formats.VIDEO_FORMAT_I420, W, W // 4, W // 2), None, "plane 1 has rows of 213"),
        (FrameMeta(1, W, H, formats.VIDEO_FORMAT_I420, W, 0, 0), None, "plane 1 has rows of 0 bytes"),
        (FrameMeta(1, W, H, formats.VIDEO_FORMAT_I010, W, W // 2, W // 2), None, "plane 0 has rows of 854"),
        (I420, W * H, "bytes arrived"),
        (FrameMeta(1, 0, H, formats.VIDEO_FORMAT_I420, W, W // 2, W // 2), None, "no pixels"),
    ],
    ids=["short-chroma-rows", "missing-plane", "16-bit-rows", "short-payload", "no-width"],
)
def test_planes_that_cannot_hold_the_picture_are_refused(
    planes: bytes, meta: FrameMeta, length: int | None, expected: str
) -> None:
    payload = colour_info(_frame(full_range=True)) + planes[: length or len(planes)]
    said = problem(meta, memoryview(payload))
    assert expected in said and said.endswith("the picture passes through unchanged."), said


def test_a_format_the_filter_does_not_read_is_named() -> None:
    meta = FrameMeta(1, W, H, 13, W, W // 2, W // 2)
    said = problem(meta, memoryview(colour_info(_frame(full_range=True))))
    assert "video format I40A" in said and "passes through" in said
