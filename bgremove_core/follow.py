"""Follow the person: run the model on a crop around them instead of on the whole frame.

The model sees its input size (256x144 or 256x256) whatever the frame, so a person who fills a
small part of the frame (a streamer leaning back, a full-body dance, a wide room camera) gets a
few dozen model pixels: edges go soft, limbs vanish. :class:`FollowSegmenter` keeps a box around
the person(s), taken from the previous mask with a margin, and gives the model only that box, so
the person fills the model input whatever their size in the frame.

- The box grows at once and shrinks slowly, so fast motion is not cut off and the box does not
  jitter; it has the crop model's aspect (no distortion) and a minimum size.
- A *scan* (the whole frame through the stream's own model) finds people: on the first frame
  (so a still image is found, then cropped: two passes), every :data:`SCAN_EVERY` frames (people
  walking in), after the crop's mask touched the box edge, and at once when the crop comes back
  empty (the person left). Outside the box the mask is 0 unless a scan says otherwise.
- Several people: one box around those whose crops would overlap, a crop each (at most
  :data:`MAX_CROPS`) for people far apart, because one box around people far apart would be
  squeezed out of shape and the model loses both (measured: IoU 0.0-0.6 against 0.73-0.89).
- When the crops would cover most of the frame anyway the scan *is* the mask, so a close-up
  webcam costs nothing extra.

The returned probability map has a fixed working size per frame size (:data:`OUTPUT_MAX_WIDTH`
wide), larger than the model's, so the crop's detail survives the paste and the refiner's
temporal smoothing sees one size per stream.

Measured on the shared clips (docs/QUALITY.md): mean IoU over lucia, hike and breakdance-flare
0.84 against 0.745 raw; the crop model is ``general``, which beats ``landscape`` on crops
(0.76).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

import cv2
import numpy as np

from .frames import check_frame
from .resources import Closeable
from .segment import Segmenter

OUTPUT_MAX_WIDTH = 320
"""Width of the returned probability map (never wider than the frame). 320 keeps the refiner as
fast as on the plain model's map; 384-640 scored no better (docs/QUALITY.md) and made refinement
up to 4x slower."""

SCAN_EVERY = 30
"""Frames between whole-frame scans for people who walk in (a second at 30 fps). 15 scored the
same on the shared clips (docs/QUALITY.md) and cost a landscape model call more per second."""

MARGIN = 0.15
"""Box margin on each side, as a fraction of the person's larger side: room for a frame's motion."""

MIN_HEIGHT = 0.3
"""The box is at least this fraction of the frame's height: tiny crops give the model no context."""

SHRINK_RATE = 0.2
"""Fraction of the way a box edge moves inwards per frame (outwards it moves at once)."""

HOLD = 0.05
"""Box edges that would move by less than this fraction of the box's larger side stay put (a
third of :data:`MARGIN`, so the person stays inside the box)."""

LOST = 0.5
"""A crop keeping less than this fraction of the last frame's person area counts as lost."""

FULL_FRAME = 0.9
"""A box covering this fraction of the frame or more is replaced by the whole frame (a scan)."""

MIN_PART = 0.003
"""Mask parts smaller than this fraction of the frame do not move the box (stray pixels)."""

MAX_CROPS = 2
"""At most this many crops per frame (people far apart); more groups are merged, nearest first."""

Rect = tuple[int, int, int, int]
"""(x0, y0, x1, y1) in frame pixels, x1/y1 exclusive (``frames.Box`` is the same as slices)."""


class FollowSegmenter(Closeable):
    """A :class:`~bgremove_core.segment.Segmenter` that runs its model on a box around the person.

    Same interface as the plain segmenter, plus :meth:`reset` for unrelated frames. Stateful:
    one instance per stream, used from one thread.

    Args:
        model: Built-in model for the whole-frame scans (the user's choice).
        model_path: Optional custom ``.tflite`` file; used for scans and crops alike.
        crop_model: Built-in model run on the crops.

    Raises:
        ModelError: A model cannot be found or loaded.
    """

    def __init__(self, model: str = "landscape", model_path: str = "", crop_model: str = "general") -> None:
        self._scanner = Segmenter(model, model_path)
        try:
            self._cropper = Segmenter(crop_model, model_path)
        except BaseException:
            self._scanner.close()
            raise
        self.spec = self._scanner.spec
        self._frame_size = (0, 0)
        self.reset()

    def reset(self) -> None:
        """Forget the person's position (a new file, a seek, a scene cut): the next frame is scanned."""
        self._boxes: list[np.ndarray] = []
        self._prev: np.ndarray | None = None
        self._since_scan = 0
        self._rescan = False

    def working_size(self, width: int, height: int) -> tuple[int, int]:
        """The (width, height) of the mask returned for a frame of this size."""
        scale = min(1.0, OUTPUT_MAX_WIDTH / width)
        return max(1, round(width * scale)), max(1, round(height * scale))

    def segment(self, frame: np.ndarray) -> np.ndarray:
        """Return P(person) as float32 in [0, 1] at :meth:`working_size` of the BGR ``frame``."""
        check_frame(frame)
        h, w = frame.shape[:2]
        if (w, h) != self._frame_size:
            self._frame_size = (w, h)
            self.reset()
        scan = not self._boxes or self._rescan or self._since_scan >= SCAN_EVERY
        prob = self._step(frame, scan)
        if prob is None:  # the crop came back empty: the person left it, look everywhere now
            prob = self._step(frame, True)
        assert prob is not None
        self._prev = prob
        return prob

    def close(self) -> None:
        """Release both models; safe to call twice."""
        self._scanner.close()
        self._cropper.close()

    # ------------------------------------------------------------------ internals
    def _step(self, frame: np.ndarray, scan: bool) -> np.ndarray | None:
        """One attempt at this frame's mask; None if an unscanned crop found nobody."""
        h, w = frame.shape[:2]
        found = self._scan(frame) if scan else None
        seen = [m for m in (found, self._prev) if m is not None]
        parts = _person_parts(np.maximum.reduce(seen) if len(seen) > 1 else seen[0], w, h)
        if not parts:
            if found is None:
                return None
            self._boxes, self._since_scan = [], 0
            return found
        fit = functools.partial(self._fit, w=w, h=h)
        self._boxes = _group([_smooth(self._boxes, box) for box in _group(parts, fit)], fit)
        crops = [fit(box) for box in self._boxes]
        self._since_scan = 0 if scan else self._since_scan + 1
        if sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in crops) >= FULL_FRAME * w * h:
            self._rescan = False
            return found if found is not None else self._scan(frame)
        out = found.copy() if found is not None else np.zeros(self.working_size(w, h)[::-1], np.float32)
        probs = self._paste(out, frame, crops)
        if not scan and self._lost(out):
            return None
        self._rescan = any(_touches_inner_edge(p, box, w, h) for p, box in zip(probs, crops, strict=True))
        return out

    def _lost(self, crop_mask: np.ndarray) -> bool:
        """Whether the crops lost the person: less than :data:`LOST` of the last frame's person
        area is left (a cut, someone leaving), so the frame is scanned whole instead of trusting
        what the crop model makes of what is now in the box."""
        before = np.count_nonzero(self._prev >= 0.5) if self._prev is not None else 0
        return bool(np.count_nonzero(crop_mask >= 0.5) < LOST * max(before, 1))

    def _scan(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        return self._scanner.segment(frame, self.working_size(w, h))

    def _paste(self, out: np.ndarray, frame: np.ndarray, boxes: list[Rect]) -> list[np.ndarray]:
        """Run the crop model on each box of ``frame`` and write them into ``out`` (overlaps keep
        the larger probability); return each crop's probabilities."""
        h, w = frame.shape[:2]
        oh, ow = out.shape
        pasted = np.zeros_like(out)
        covered = np.zeros(out.shape, bool)
        probs = []
        for x0, y0, x1, y1 in boxes:
            ox0, ox1 = round(x0 * ow / w), round(x1 * ow / w)
            oy0, oy1 = round(y0 * oh / h), round(y1 * oh / h)
            probs.append(self._cropper.segment(frame[y0:y1, x0:x1], (max(1, ox1 - ox0), max(1, oy1 - oy0))))
            region = pasted[oy0:oy1, ox0:ox1]
            np.maximum(region, probs[-1][: region.shape[0], : region.shape[1]], out=region)
            covered[oy0:oy1, ox0:ox1] = True
        np.copyto(out, pasted, where=covered)
        return probs

    def _fit(self, box: np.ndarray, w: int, h: int) -> Rect:
        """Grow ``box`` to the crop model's aspect and minimum size, inside the frame."""
        x0, y0, x1, y1 = box
        aspect = self._cropper.spec.input_width / self._cropper.spec.input_height
        bh = max(y1 - y0, (x1 - x0) / aspect, MIN_HEIGHT * h)
        bw = min(bh * aspect, w)
        bh = min(bh, h)
        if bw * bh >= FULL_FRAME * w * h:
            return 0, 0, w, h
        cx = min(max((x0 + x1) / 2, bw / 2), w - bw / 2)
        cy = min(max((y0 + y1) / 2, bh / 2), h - bh / 2)
        return (
            max(0, round(cx - bw / 2)),
            max(0, round(cy - bh / 2)),
            min(w, round(cx + bw / 2)),
            min(h, round(cy + bh / 2)),
        )


def _person_parts(prob: np.ndarray, w: int, h: int) -> list[np.ndarray]:
    """Margin boxes (frame pixels) around the mask's parts, stray specks left out."""
    binary = (prob >= 0.5).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    sx, sy = w / prob.shape[1], h / prob.shape[0]
    boxes = []
    for x, y, bw, bh, area in stats[1:]:
        if area >= max(1.0, MIN_PART * prob.size):
            boxes.append(_with_margin((x * sx, y * sy, (x + bw) * sx, (y + bh) * sy)))
    return boxes


def _with_margin(box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    pad = MARGIN * max(x1 - x0, y1 - y0)
    return np.array([x0 - pad, y0 - pad, x1 + pad, y1 + pad], np.float64)


def _group(boxes: list[np.ndarray], fit: Callable[[np.ndarray], Rect]) -> list[np.ndarray]:
    """Merge boxes whose crops would overlap, then the closest ones until :data:`MAX_CROPS` remain."""
    boxes = list(boxes)
    while len(boxes) > 1:
        pairs = list(itertools.combinations(range(len(boxes)), 2))
        touching = [(i, j) for i, j in pairs if _overlap(fit(boxes[i]), fit(boxes[j]))]
        if touching:
            i, j = touching[0]
        elif len(boxes) > MAX_CROPS:
            i, j = min(pairs, key=lambda p: _area(_merge(boxes[p[0]], boxes[p[1]])))
        else:
            break
        boxes[i] = _merge(boxes[i], boxes[j])
        del boxes[j]
    return boxes


def _merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])


def _area(box: np.ndarray) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _smooth(old: list[np.ndarray], new: np.ndarray) -> np.ndarray:
    """Ease ``new`` from the old box it overlaps most: edges moving outwards jump, edges moving
    inwards go :data:`SHRINK_RATE` of the way, and edges within :data:`HOLD` stay where they are.

    The hold is what keeps a still person's mask still: the crop model's answer depends on where
    the crop is, and without it every whole-frame scan nudged the box and the mask flickered
    every :data:`SCAN_EVERY` frames. A box overlapping none is taken as it is.
    """
    shared = [_intersection(o, new) for o in old]
    if not shared or max(shared) <= 0:
        return new
    prev = old[int(np.argmax(shared))]
    slack = HOLD * max(new[2] - new[0], new[3] - new[1])
    outwards = np.array([prev[0] - new[0], prev[1] - new[1], new[2] - prev[2], new[3] - prev[3]])
    eased = prev + SHRINK_RATE * (new - prev)
    return np.where(outwards > slack, new, np.where(outwards < -slack, eased, prev))


def _intersection(a: np.ndarray, b: np.ndarray) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _touches_inner_edge(crop: np.ndarray, box: Rect, w: int, h: int) -> bool:
    """Whether the crop's mask reaches a box edge that is not the frame's edge (the person goes on)."""
    x0, y0, x1, y1 = box
    person = crop >= 0.5
    return bool(
        (x0 > 0 and person[:, 0].any())
        or (y0 > 0 and person[0].any())
        or (x1 < w and person[:, -1].any())
        or (y1 < h and person[-1].any())
    )
