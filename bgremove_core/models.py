"""Where the segmentation models come from: the files shipped inside bgremove itself.

Nothing is downloaded: the two selfie-segmentation models (Apache-2.0, from the official
mediapipe 0.10.21 wheel; see ``model_files/README.md``) are package data of ``bgremove_core``,
because mediapipe 1.x ships no models. Each is checked against ``model_files/SHA256SUMS`` before
it is loaded, so a damaged or replaced file is named instead of producing strange masks. A user
may still point at their own ``.tflite`` (not checked: its contents are theirs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import systems
from .errors import ModelError
from .settings import ModelName


@dataclass(frozen=True)
class ModelSpec:
    """A segmentation model file and the input size it was trained at.

    Attributes:
        name: Stable identifier (a :class:`ModelName` value, or ``custom``).
        path: The ``.tflite`` file.
        input_width: Model input width in pixels.
        input_height: Model input height in pixels.
    """

    name: str
    path: Path
    input_width: int
    input_height: int


_BUILTIN: dict[str, tuple[str, int, int]] = {
    ModelName.LANDSCAPE: ("selfie_segmentation_landscape.tflite", 256, 144),
    ModelName.GENERAL: ("selfie_segmentation.tflite", 256, 256),
}


#: The directory of the shipped models, their licence and checksums.
MODEL_DIR = Path(__file__).parent / "model_files"
_REINSTALL = f"reinstall bgremove ({systems.fix_command()})"


def _expected_sha256(filename: str) -> str:
    for line in (MODEL_DIR / "SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, _, name = line.partition("  ")
        if name == filename:
            return digest
    raise ModelError(
        f"SHA256SUMS has no line for {filename}; this bgremove install is incomplete, {_REINSTALL}."
    )


def verified_builtin(filename: str) -> Path:
    """The shipped model file, after checking it is byte for byte the one bgremove was released with."""
    path = MODEL_DIR / filename
    if not path.is_file():
        raise ModelError(
            f"The model file {str(path)!r} is missing; this bgremove install is incomplete, {_REINSTALL}."
        )
    if hashlib.sha256(path.read_bytes()).hexdigest() != _expected_sha256(filename):
        raise ModelError(
            f"The model file {str(path)!r} is damaged (its SHA-256 does not match); {_REINSTALL}."
        )
    return path


def resolve_model(name: str, custom_path: str = "") -> ModelSpec:
    """Return the model to load: ``custom_path`` when given, else the built-in ``name``.

    A custom model is assumed to take the general model's 256x256 input, as MediaPipe's
    selfie-segmentation family does; the segmenter reads the real size from the file anyway.
    """
    if custom_path:
        path = Path(custom_path).expanduser()
        if not path.is_file():
            raise ModelError(f"The model file {str(path)!r} does not exist.")
        if path.stat().st_size == 0:
            raise ModelError(f"The model file {str(path)!r} is empty.")
        return ModelSpec("custom", path, 256, 256)
    if name not in _BUILTIN:
        raise ModelError(f"Unknown model {name!r}; choose one of {', '.join(_BUILTIN)}.")
    filename, width, height = _BUILTIN[name]
    return ModelSpec(str(name), verified_builtin(filename), width, height)
