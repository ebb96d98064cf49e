"""The one mask engine (bgremove_core.engine) on a real frame with the real model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from bgremove_core.engine import MaskEngine
from bgremove_core.errors import ModelError
from bgremove_core.settings import FieldSpec, Settings, Stage, changed_stages, schema

MIN_IOU = 0.7
"""One frame, no temporal history: the mask must still find the person the hand mask outlines."""


@pytest.fixture(scope="module")
def frame(shared_data: Path) -> np.ndarray:
    image = cv2.imread(str(sorted((shared_data / "clips" / "lucia_frames").glob("*.jpg"))[0]))
    assert image is not None
    return image


@pytest.fixture(scope="module")
def truth(shared_data: Path) -> np.ndarray:
    mask = cv2.imread(str(sorted((shared_data / "clips" / "lucia_masks").glob("*.png"))[0]), 0)
    assert mask is not None
    return mask > 127


@pytest.fixture
def engine() -> Iterator[MaskEngine]:
    with MaskEngine() as made:
        yield made


def _other_value(spec: FieldSpec) -> object:
    """A valid value of ``spec`` other than its default."""
    if spec.kind == "bool":
        return not spec.default
    if spec.kind in ("int", "float"):
        return spec.maximum
    if spec.kind == "choice":
        return spec.choices[-1][0]
    return "#123456" if spec.kind == "colour" else "/somewhere/else"


def test_each_setting_invalidates_its_declared_stage() -> None:
    base = Settings()
    for spec in schema():
        changed = _other_value(spec)
        stages = changed_stages(base, base.replace(**{spec.key: changed}))
        assert spec.stage in stages, spec.key
        assert stages <= {spec.stage, Stage.MASK}, spec.key
    assert changed_stages(base, base) == frozenset()


def test_update_reports_what_changed(engine: MaskEngine) -> None:
    assert engine.update(engine.settings.replace(threshold=0.6)) == {Stage.MASK}
    assert engine.update(engine.settings.replace(max_fps=5)) == {Stage.PACE}
    assert engine.update(engine.settings.replace(model="general")) == {Stage.MODEL, Stage.MASK}
    assert engine.model_error is None


def test_a_model_that_cannot_load_keeps_the_previous_one(
    engine: MaskEngine, frame: np.ndarray, tmp_path: Path
) -> None:
    before = engine.mask(frame)
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"not a model")
    engine.update(engine.settings.replace(model_path=str(broken)))
    assert isinstance(engine.model_error, ModelError)
    engine.reset()
    assert np.array_equal(engine.mask(frame), before), "the previous model still answers"
    engine.update(engine.settings.replace(model_path=""))
    assert engine.model_error is None


def test_mask_is_at_frame_size_and_finds_the_person(
    engine: MaskEngine, frame: np.ndarray, truth: np.ndarray
) -> None:
    alpha = engine.mask(frame)
    assert alpha.shape == frame.shape[:2] and alpha.dtype == np.uint8
    found = cv2.resize(alpha, truth.shape[::-1]) > 127
    assert (found & truth).sum() / (found | truth).sum() >= MIN_IOU


def test_wait_time_follows_max_fps(engine: MaskEngine, frame: np.ndarray) -> None:
    engine.update(engine.settings.replace(max_fps=0))
    engine.mask(frame)
    assert engine.wait_time() == 0
    engine.update(engine.settings.replace(max_fps=1))
    assert engine.wait_time() > 0, "one mask a second: the next one is not due right after one"


def test_close_is_idempotent_and_final(frame: np.ndarray) -> None:
    engine = MaskEngine()
    engine.close()
    engine.close()
    with pytest.raises(ValueError, match="closed"):
        engine.mask(frame)


def test_the_two_halves_give_the_same_masks_as_one_call(shared_data: Path) -> None:
    frames = [cv2.imread(str(p)) for p in sorted((shared_data / "clips" / "lucia_frames").glob("*.jpg"))[:6]]
    with MaskEngine() as whole, MaskEngine() as halves:
        for f in frames:
            np.testing.assert_array_equal(whole.mask(f), halves.refine(f, halves.segment(f)))
