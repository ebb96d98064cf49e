"""Which composite a frame gets: the one vocabulary of the CPU compositor, the OBS worker and the GPU.

The settings say what the user asked for (a :class:`~bgremove_core.settings.Background` mode,
``show_mask``); :func:`choose_look` turns that into the :class:`Look` every path draws, in one
place: :class:`~bgremove_core.compose.Compositor` composites it on the CPU (the reference), the
OBS worker sends it in each mask message and the filter picks its GPU technique from it. A new
look is a member here, its case in ``compose.py`` and its drawing on the GPU.

Standard library only: the OBS process imports it (through ``bgremove_obs.wire.protocol``).
"""

from __future__ import annotations

from enum import IntEnum

from .settings import Background, Settings


class Look(IntEnum):
    """What is drawn behind (or instead of) the person; the values travel in the OBS mask message."""

    NONE = 0
    """Pass-through: the frame is drawn unchanged (one the worker cannot read)."""
    BLUR = 1
    """The frame's own background, blurred without the person's colours."""
    COLOUR = 2
    """A solid colour."""
    PICTURE = 3
    """A replacement picture: a still image or a video's current frame."""
    TRANSPARENT = 4
    """The frame with the mask as its alpha channel."""
    MASK = 5
    """The mask itself, white on black (``show_mask``: for tuning the settings)."""


_BY_BACKGROUND = {
    Background.BLUR: Look.BLUR,
    Background.COLOUR: Look.COLOUR,
    Background.IMAGE: Look.PICTURE,
    Background.VIDEO: Look.PICTURE,
    Background.TRANSPARENT: Look.TRANSPARENT,
}


def wants_picture(settings: Settings) -> bool:
    """Whether ``settings`` name a replacement picture (an image or a video) to keep open.

    True also while ``show_mask`` hides it, so the picture is there when the mask view ends.
    """
    return _BY_BACKGROUND[Background(settings.background)] == Look.PICTURE


def choose_look(settings: Settings, *, picture: bool = True) -> Look:
    """The look ``settings`` ask for.

    Args:
        settings: The user's choice.
        picture: Whether the replacement picture can be shown. Without it the blur is drawn:
            a live filter keeps a picture on screen when a background file goes missing,
            whereas file commands refuse such a file before they start.
    """
    if settings.show_mask:
        return Look.MASK
    look = _BY_BACKGROUND[Background(settings.background)]
    return Look.BLUR if look == Look.PICTURE and not picture else look
