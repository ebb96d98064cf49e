"""The models shipped inside bgremove: checked byte for byte before they are loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bgremove_core import models
from bgremove_core.errors import ModelError
from bgremove_core.settings import ModelName


@pytest.mark.parametrize("name", list(ModelName))
def test_shipped_models_pass_their_checksum(name: ModelName) -> None:
    spec = models.resolve_model(name)
    assert spec.path.parent == models.MODEL_DIR
    assert spec.path.stat().st_size > 200_000


@pytest.fixture
def model_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped model folder that the tests may damage; bgremove reads it instead."""
    folder = Path(shutil.copytree(models.MODEL_DIR, tmp_path / "model_files"))
    monkeypatch.setattr(models, "MODEL_DIR", folder)
    return folder


def test_a_damaged_model_is_refused_in_one_sentence(model_copy: Path) -> None:
    path = model_copy / "selfie_segmentation_landscape.tflite"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"is damaged \(its SHA-256 does not match\); reinstall") as info:
        models.resolve_model("landscape")
    assert "\n" not in str(info.value)
    models.resolve_model("general")  # the other, intact file still loads


def test_a_missing_model_is_named(model_copy: Path) -> None:
    (model_copy / "selfie_segmentation.tflite").unlink()
    with pytest.raises(ModelError, match=r"selfie_segmentation\.tflite' is missing; this bgremove install"):
        models.resolve_model("general")


def test_a_custom_model_path_is_still_accepted(tmp_path: Path) -> None:
    custom = Path(shutil.copy(models.MODEL_DIR / "selfie_segmentation.tflite", tmp_path / "mine.tflite"))
    spec = models.resolve_model("landscape", str(custom))
    assert (spec.name, spec.path) == ("custom", custom)
