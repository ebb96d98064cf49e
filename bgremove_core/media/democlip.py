"""The embedded demo: a short clip of a real person made in memory, and a background for it.

The picture is scikit-image's astronaut portrait (Eileen Collins, NASA, public domain), which
ships inside the scikit-image wheel, as does the Hubble deep-field background: nothing is
downloaded. A slow pan and zoom across the portrait makes it a moving-camera clip, so the
demo exercises temporal smoothing and edge refinement rather than one still frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np

from ..errors import MediaError

MISSING_SKIMAGE = (
    "The demo needs scikit-image for its built-in pictures; install it with: pip install 'bgremove[demo]'."
)


def _skimage_data():
    try:
        import skimage.data
    except ImportError:
        raise MediaError(MISSING_SKIMAGE) from None
    return skimage.data


def demo_background() -> np.ndarray:
    """The Hubble deep field as BGR uint8, the demo's replacement background."""
    return cv2.cvtColor(_skimage_data().hubble_deep_field(), cv2.COLOR_RGB2BGR)


def demo_frames(seconds: float, fps: float, size: tuple[int, int] = (1280, 720)) -> Iterator[np.ndarray]:
    """Yield ``seconds * fps`` BGR frames of ``size`` panning and zooming over the astronaut.

    The camera path is one smooth out-and-back loop: it starts on the whole portrait, zooms in
    towards the face while panning right, and returns, so every frame shows the person.
    """
    portrait = cv2.cvtColor(_skimage_data().astronaut(), cv2.COLOR_RGB2BGR)
    ph, pw = portrait.shape[:2]
    width, height = size
    count = max(1, round(seconds * fps))
    for i in range(count):
        phase = 2 * math.pi * i / count
        zoom_in = 0.5 - 0.5 * math.cos(phase)
        crop_w = pw * (1 - 0.3 * zoom_in)
        crop_h = crop_w * height / width
        cx = min(max(pw / 2 + 0.12 * pw * math.sin(phase), crop_w / 2), pw - crop_w / 2)
        cy = min(max((0.27 - 0.05 * zoom_in) * ph, crop_h / 2), ph - crop_h / 2)
        scale = width / crop_w
        affine = np.array([[scale, 0, width / 2 - cx * scale], [0, scale, height / 2 - cy * scale]])
        yield cv2.warpAffine(portrait, affine, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
