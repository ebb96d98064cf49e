"""Person segmentation: one MediaPipe ImageSegmenter fed a small copy of the frame.

The model only ever sees its own input size (e.g. 256x144), so the expensive per-pixel work
scales with the model, not with the frame: a 1080p frame costs the same as a 360p one.

The frame is resized to the model input *without* keeping its aspect ratio, which is how the
selfie models were trained: on the 80 photos in shared/data/people (mostly 4:3 and 3:4) that
scored IoU 0.851 (landscape) / 0.853 (general), against 0.725 / 0.839 with an aspect-keeping
letterbox. The probability map is then resized back to an aspect-correct working size, so
everything downstream sees undistorted geometry.

MediaPipe's native graph is not thread-safe: one Segmenter must be used from one thread. Its
native start-up lines are kept off the terminal (see :mod:`.nativelog`): the model is created and
run once on a blank picture inside that quiet window, so the first real frame prints nothing either.
"""

from __future__ import annotations

import contextlib

import cv2
import numpy as np

from .errors import ModelError
from .frames import check_frame, downscale
from .models import ModelSpec, resolve_model
from .nativelog import quiet_native_stderr
from .resources import Closeable


class Segmenter(Closeable):
    """Turns BGR frames into person-probability masks at the model's resolution.

    Args:
        model: Built-in model name (see :class:`~bgremove_core.settings.ModelName`).
        model_path: Optional custom ``.tflite`` file; overrides ``model``.

    Raises:
        ModelError: The model cannot be found or MediaPipe refuses to load it.
    """

    def __init__(self, model: str = "landscape", model_path: str = "") -> None:
        self.spec: ModelSpec = resolve_model(model, model_path)
        self._timestamp_ms = 0
        with quiet_native_stderr():
            self._segmenter = _load(_import_vision(), self.spec)
            try:
                self.infer(np.zeros((self.spec.input_height, self.spec.input_width, 3), np.uint8))
            except BaseException:
                self.close()
                raise

    def working_size(self, width: int, height: int) -> tuple[int, int]:
        """The aspect-correct (width, height) of the mask returned for a frame of this size.

        It holds about as many pixels as the model input and never more than the frame.
        """
        scale = min(max(self.spec.input_width / width, self.spec.input_height / height), 1.0)
        return max(1, round(width * scale)), max(1, round(height * scale))

    def segment(self, frame: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
        """Return P(person) as float32 in [0, 1] at :meth:`working_size` of the BGR ``frame``, or
        at ``size`` (width, height): one resize from the model's output for callers that need
        another size (following pastes crops into its own map)."""
        check_frame(frame)
        if self._segmenter is None:
            raise ModelError("This Segmenter has been closed.")
        h, w = frame.shape[:2]
        model_size = (self.spec.input_width, self.spec.input_height)
        # Halve (area-averaged) to at most 4x the model width, then one bilinear step: on
        # shared/data (landscape) that scored people IoU 0.858 / lucia 0.821, against 0.851 /
        # 0.819 for a final area resize, which also cost 0.61 ms at 720p instead of 0.14 ms.
        # Halving further, to 2x, loses accuracy (people 0.849).
        shrunk = downscale(frame, 4 * self.spec.input_width)
        mask = self.infer(cv2.resize(shrunk, model_size, interpolation=cv2.INTER_LINEAR))
        out_size = size or self.working_size(w, h)
        if out_size == model_size:
            return np.array(mask, dtype=np.float32)
        return cv2.resize(mask, out_size, interpolation=cv2.INTER_LINEAR)

    def infer(self, bgr: np.ndarray) -> np.ndarray:
        """P(person) at the model's output size for a BGR uint8 picture, as an (H, W) view.

        The picture should be at the model's input size (:meth:`segment` makes it so); a larger
        one is resized by MediaPipe itself, slowly, which is what the speed baseline measures.
        """
        import mediapipe as mp

        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        self._timestamp_ms += 1
        result = self._segmenter.segment_for_video(
            mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), self._timestamp_ms
        )
        mask = result.confidence_masks[0].numpy_view()
        # mediapipe 1.x returns (H, W, 1), 0.10 returned (H, W); everything downstream wants (H, W).
        return mask.reshape(mask.shape[:2])

    def reset(self) -> None:
        """Nothing to forget: each frame is segmented on its own (same interface as following)."""

    def close(self) -> None:
        """Release the native graph; safe to call twice."""
        if self._segmenter is not None:
            self._segmenter.close()
            self._segmenter = None


def _import_vision():
    """MediaPipe's vision tasks; a broken install or a missing system library becomes one sentence."""
    try:
        from mediapipe.tasks.python import vision
    except ImportError as exc:
        raise ModelError(
            f"MediaPipe could not be imported ({exc}); install bgremove's requirements "
            "(requirements/runtime.txt) into this Python."
        ) from exc
    except OSError as exc:
        raise ModelError(_native_library_problem(exc)) from exc
    return vision


def _native_library_problem(exc: OSError) -> str:
    """The sentence for MediaPipe's native library failing to load (it needs OpenGL ES 2 on Linux)."""
    if "libGLESv2" in str(exc):
        return (
            f"MediaPipe's native library cannot load libGLESv2.so.2 ({exc}); install the OpenGL ES "
            "library (Debian/Ubuntu: sudo apt-get install libgles2) and try again."
        )
    return f"MediaPipe's native library could not be loaded ({exc}); reinstall bgremove's requirements."


def _load(vision, spec: ModelSpec):
    from mediapipe.tasks.python import BaseOptions

    options = vision.ImageSegmenterOptions(
        base_options=BaseOptions(model_asset_buffer=spec.path.read_bytes()),
        running_mode=vision.RunningMode.VIDEO,
        output_confidence_masks=True,
        output_category_mask=False,
    )
    try:
        return vision.ImageSegmenter.create_from_options(options)
    except OSError as exc:
        raise ModelError(_native_library_problem(exc)) from exc
    except (RuntimeError, ValueError) as exc:
        raise ModelError(
            f"MediaPipe could not load the model {str(spec.path)!r} ({exc}); is it a MediaPipe "
            "selfie-segmentation .tflite file?"
        ) from exc


with contextlib.suppress(ImportError):
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
