"""The look: decided once from the settings, drawn by the CPU compositor as asked."""

from __future__ import annotations

import numpy as np
import pytest

from bgremove_core.compose import Compositor
from bgremove_core.looks import Look, choose_look, wants_picture
from bgremove_core.settings import Background, Settings

LOOKS = {
    Background.BLUR: Look.BLUR,
    Background.COLOUR: Look.COLOUR,
    Background.IMAGE: Look.PICTURE,
    Background.VIDEO: Look.PICTURE,
    Background.TRANSPARENT: Look.TRANSPARENT,
}


@pytest.mark.parametrize("mode", list(Background))
def test_every_background_mode_has_its_look_and_the_mask_view_wins(mode: Background) -> None:
    settings = Settings(background=mode)
    assert choose_look(settings) == LOOKS[mode]
    assert choose_look(settings.replace(show_mask=True)) == Look.MASK
    assert wants_picture(settings.replace(show_mask=True)) == (LOOKS[mode] == Look.PICTURE)


def test_a_picture_that_cannot_be_shown_falls_back_to_the_blur_and_nothing_else_does() -> None:
    for mode in Background:
        look = choose_look(Settings(background=mode), picture=False)
        assert look == (Look.BLUR if LOOKS[mode] == Look.PICTURE else LOOKS[mode])


def test_the_compositor_draws_the_look_it_is_given(lucia_frame) -> None:
    alpha = np.random.default_rng(5).integers(0, 256, lucia_frame.shape[:2], dtype=np.uint8)
    compositor = Compositor(Settings(background="colour"))
    np.testing.assert_array_equal(compositor.compose(lucia_frame, alpha, Look.NONE), lucia_frame)
    mask = compositor.compose(lucia_frame, alpha, Look.MASK)
    np.testing.assert_array_equal(mask, np.dstack([alpha] * 3))
    assert compositor.compose(lucia_frame, alpha, Look.TRANSPARENT).shape[2] == 4
    np.testing.assert_array_equal(
        compositor.compose(lucia_frame, alpha), compositor.compose(lucia_frame, alpha, Look.COLOUR)
    )
