"""Worker side: OBS frame planes to a BGR picture at the refinement resolution.

The model sees ~256x144 pixels and the core refines masks at the work size (``limits.work_size``,
long side at most 640 px), so the worker never needs the full frame in BGR: each plane is resized
to the work size first (luma with area averaging, chroma with bilinear upsampling) and only then
converted. YUV uses the frame's own colour matrix and range clamps, the very numbers OBS's shader
uses, so the blurred background the GPU draws has the colours OBS shows. 10- and 16-bit samples
become bytes after the resize (the work size is 8-bit, like everything the model and GPU get).
The frame has passed :func:`bgremove_obs.worker.framecheck.problem`: its planes hold the picture.
"""

from __future__ import annotations

import cv2
import numpy as np

from bgremove_core.limits import work_size

from ..wire import formats
from ..wire.formats import FORMATS, plane_sizes
from ..wire.protocol import COLOUR_INFO, FrameMeta


def _resize(plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (plane.shape[1], plane.shape[0]) == size:
        return plane
    shrinking = plane.shape[1] > size[0]
    return cv2.resize(plane, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _planes(meta: FrameMeta, payload: memoryview) -> list[np.ndarray]:
    """Each plane as a (rows, linesize in samples) view into the payload (uint8 or uint16)."""
    fmt = FORMATS[meta.format]
    dtype = np.uint16 if fmt.sample_bytes == 2 else np.uint8
    linesizes = (meta.linesize0, meta.linesize1, meta.linesize2)
    offset = COLOUR_INFO.size
    planes = []
    for index, size in enumerate(plane_sizes(fmt, meta.height, linesizes)):
        data = np.frombuffer(payload, dtype, size // fmt.sample_bytes, offset)
        planes.append(data.reshape(-1, linesizes[index] // fmt.sample_bytes))
        offset += size
    return planes


_HALF_WIDTH_PLANAR = frozenset(
    {
        formats.VIDEO_FORMAT_I420,
        formats.VIDEO_FORMAT_I010,
        formats.VIDEO_FORMAT_I422,
        formats.VIDEO_FORMAT_I210,
    }
)
"""Three-plane formats whose chroma planes have half the width (4:2:0, and 4:2:2 at full height)."""


def _yuv_planes(meta: FrameMeta, planes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y, U, V as separate 2-D planes at their native resolutions."""
    w, h = meta.width, meta.height
    cw, ch = -(-w // 2), -(-h // 2)
    fmt = meta.format
    if fmt in _HALF_WIDTH_PLANAR:
        rows = -(-h // FORMATS[fmt].plane_rows[1])
        return planes[0][:h, :w], planes[1][:rows, :cw], planes[2][:rows, :cw]
    if fmt == formats.VIDEO_FORMAT_I444:
        return planes[0][:h, :w], planes[1][:h, :w], planes[2][:h, :w]
    if fmt in (formats.VIDEO_FORMAT_NV12, formats.VIDEO_FORMAT_P010):
        uv = planes[1][:ch, : cw * 2].reshape(ch, cw, 2)
        return planes[0][:h, :w], uv[..., 0], uv[..., 1]
    y_at, u_at, v_at = _PACKED_ORDER[fmt]
    pairs = planes[0][:h, : (w // 2) * 4].reshape(h, w // 2, 4)
    luma = pairs.reshape(h, (w // 2) * 2, 2)[..., y_at % 2]
    return luma, pairs[..., u_at], pairs[..., v_at]


# Byte positions of (Y0, U, V) inside each 4-byte pair of pixels of the packed 4:2:2 formats
# (Y1 sits two bytes after Y0).
_PACKED_ORDER = {
    formats.VIDEO_FORMAT_YUY2: (0, 1, 3),
    formats.VIDEO_FORMAT_YVYU: (0, 3, 1),
    formats.VIDEO_FORMAT_UYVY: (1, 0, 2),
}


def _yuv_to_bgr(yuv: np.ndarray, colour: tuple[float, ...]) -> np.ndarray:
    """OBS's own conversion: clamp to the range, then rgb = M[:3,:3] @ yuv + M[:3,3].

    Two OpenCV passes on bytes instead of numpy's float pipeline (measured at 640x360: about
    1 against 9 ms CPU, the worker's largest per-frame cost in OBS): the clamp is a byte table
    per channel (OBS's ranges are whole byte values: 16-235, 16-240 or 0-255), and the matrix,
    with the swap to BGR and the scale to bytes folded in, is one ``cv2.transform``, which
    rounds and saturates to 0..255 like the shader's output.
    """
    matrix = np.asarray(colour[:16], np.float32).reshape(4, 4)
    low, high = np.asarray(colour[16:19]) * 255, np.asarray(colour[19:22]) * 255
    table = np.clip(np.arange(256)[:, None], np.round(low), np.round(high)).astype(np.uint8)
    clamped = cv2.LUT(yuv, table.reshape(1, 256, 3))
    to_bgr = matrix[2::-1].copy()
    to_bgr[:, 3] *= 255  # the input is bytes, not 0..1: only the offset needs the scale
    return cv2.transform(clamped, to_bgr)


def to_bgr(meta: FrameMeta, payload: memoryview) -> np.ndarray:
    """The frame as BGR uint8 at :func:`work_size`."""
    size = work_size(meta.width, meta.height)
    planes = _planes(meta, payload)
    fmt = meta.format
    if fmt == formats.VIDEO_FORMAT_RGBA:
        pixels = planes[0][: meta.height, : meta.width * 4].reshape(meta.height, meta.width, 4)
        return _resize(cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGR), size)
    if fmt in (formats.VIDEO_FORMAT_BGRA, formats.VIDEO_FORMAT_BGRX):
        pixels = planes[0][: meta.height, : meta.width * 4].reshape(meta.height, meta.width, 4)
        return _resize(np.ascontiguousarray(pixels[..., :3]), size)
    if fmt == formats.VIDEO_FORMAT_Y800:
        return cv2.cvtColor(_resize(planes[0][: meta.height, : meta.width], size), cv2.COLOR_GRAY2BGR)
    colour = COLOUR_INFO.unpack_from(payload, 0)
    top = FORMATS[fmt].top
    y, u, v = (_to_bytes(_resize(np.ascontiguousarray(p), size), top) for p in _yuv_planes(meta, planes))
    return _yuv_to_bgr(cv2.merge((y, u, v)), colour)


def _to_bytes(plane: np.ndarray, top: int) -> np.ndarray:
    """Samples of 0..``top`` as bytes of 0..255: the same share of full scale, which is what
    OBS's shader reads from a 10- or 16-bit texture and what its matrix for that depth expects."""
    return plane if top == 255 else cv2.convertScaleAbs(plane, alpha=255 / top)
