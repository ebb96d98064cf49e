"""The segmenter on real pictures: shapes, value range, accuracy and boundary checks."""

from __future__ import annotations

import statistics

import numpy as np
import pytest

from bgremove_core.errors import MediaError, ModelError
from bgremove_core.segment import Segmenter
from lab.metrics import iou, raw_mask


def test_raw_model_finds_the_people(photos):
    scores = [iou(raw_mask(p.prob, p.truth.shape[1], p.truth.shape[0]), p.truth) for p in photos]
    assert statistics.fmean(scores) >= 0.84


@pytest.mark.parametrize("size", [(1280, 720), (480, 640), (854, 480), (100, 60)])
def test_probability_is_aspect_correct_float(segmenter, lucia_frame, size):
    import cv2

    w, h = size
    frame = cv2.resize(lucia_frame, (w, h))
    prob = segmenter.segment(frame)
    pw, ph = segmenter.working_size(w, h)
    assert prob.shape == (ph, pw)
    assert prob.dtype == np.float32
    assert prob.min() >= 0.0 and prob.max() <= 1.0
    assert abs(pw / ph - w / h) < 0.02 * (w / h) + 1 / ph


def test_a_requested_size_is_one_resize_of_the_same_probabilities(segmenter, lucia_frame):
    """Following asks for its paste size directly: same person, same place, only the size differs."""
    import cv2

    default = segmenter.segment(lucia_frame)
    sized = segmenter.segment(lucia_frame, (200, 150))
    assert sized.shape == (150, 200) and sized.dtype == np.float32
    back = cv2.resize(default, (200, 150), interpolation=cv2.INTER_AREA)
    assert np.abs(sized - back).mean() < 0.02
    assert ((sized >= 0.5) == (back >= 0.5)).mean() > 0.97


def test_an_empty_picture_has_nobody(segmenter):
    prob = segmenter.segment(np.full((360, 640, 3), 128, np.uint8))
    assert (prob < 0.5).mean() > 0.99


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ([[1, 2, 3]], TypeError),
        (np.zeros((10, 10, 3), np.float32), TypeError),
        (np.zeros((10, 10), np.uint8), MediaError),
        (np.zeros((10, 10, 4), np.uint8), MediaError),
        (np.zeros((0, 10, 3), np.uint8), MediaError),
    ],
)
def test_bad_frames_are_refused(segmenter, frame, error):
    with pytest.raises(error):
        segmenter.segment(frame)


def test_closed_segmenter_and_missing_model(tmp_path):
    s = Segmenter("landscape")
    s.close()
    s.close()
    with pytest.raises(ModelError, match="closed"):
        s.segment(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ModelError, match="does not exist"):
        Segmenter(model_path=str(tmp_path / "nope.tflite"))
