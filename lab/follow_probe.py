"""A :class:`FollowSegmenter` that shows what it did, for the tests and the follow report.

The product class keeps no record of its crops; this subclass watches its two internal steps
(one attempt at a frame's mask, and the crop model's runs) to say which boxes the crop model saw,
and adds the oracle the follow report compares against. It leans on those protected steps on
purpose: they are what is being observed, and nothing in the product depends on this.
"""

from __future__ import annotations

import numpy as np

from bgremove_core import follow
from bgremove_core.follow import FollowSegmenter, Rect


class ProbedFollow(FollowSegmenter):
    """Follows the person like the product, and remembers the crops of the last frame.

    Attributes:
        last_crops: The boxes the crop model saw on the last frame, one per group of people;
            the whole frame when a scan found nobody or the crops would cover most of it.
        last_crop: The box around all of :attr:`last_crops`; None before the first frame.
    """

    def __init__(self, model: str = "landscape", model_path: str = "", crop_model: str = "general") -> None:
        super().__init__(model, model_path, crop_model)
        self.last_crops: list[Rect] = []
        self.last_crop: Rect | None = None
        self._pasted: list[Rect] | None = None

    def _step(self, frame: np.ndarray, scan: bool) -> np.ndarray | None:
        self._pasted = None
        prob = super()._step(frame, scan)
        h, w = frame.shape[:2]
        crops = self._pasted or [(0, 0, w, h)]
        self.last_crops = crops
        self.last_crop = (
            min(b[0] for b in crops),
            min(b[1] for b in crops),
            max(b[2] for b in crops),
            max(b[3] for b in crops),
        )
        return prob

    def _paste(self, out: np.ndarray, frame: np.ndarray, boxes: list[Rect]) -> list[np.ndarray]:
        self._pasted = list(boxes)
        return super()._paste(out, frame, boxes)

    def segment_box(self, frame: np.ndarray, person: Rect) -> np.ndarray:
        """P(person) with the crop model run on ``person`` grown as a tracked box would be; 0
        outside. No state is used or kept: what following would give with a perfect tracker
        (the oracle of the follow report)."""
        h, w = frame.shape[:2]
        box = self._fit(follow._with_margin(person), w, h)
        if box == (0, 0, w, h):
            return self._scan(frame)
        out = np.zeros(self.working_size(w, h)[::-1], np.float32)
        self._paste(out, frame, [box])
        return out
