"""Compositing: exact blend math, a halo-free blur, every background mode, light wrap."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bgremove_core.compose import Compositor, blend, blur_background_small
from bgremove_core.errors import MediaError
from bgremove_core.settings import Settings


@pytest.fixture
def photo_png(tmp_path, lucia_frame) -> str:
    path = tmp_path / "background.png"
    cv2.imwrite(str(path), lucia_frame)
    return str(path)


def _modes(photo: str) -> list[Settings]:
    return [
        Settings(background="blur"),
        Settings(background="colour", colour="#3366CC"),
        Settings(background="image", image=photo),
    ]


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_opaque_alpha_keeps_the_frame_exactly(mode, photo_png, lucia_frame):
    frame = np.ascontiguousarray(lucia_frame[::-1])
    alpha = np.full(frame.shape[:2], 255, np.uint8)
    with_wrap = _modes(photo_png)[mode].replace(light_wrap=1.0)
    out = Compositor(with_wrap).compose(frame, alpha)
    np.testing.assert_array_equal(out, frame)


def test_clear_alpha_shows_the_background_exactly(photo_png, lucia_frame):
    frame = np.full_like(lucia_frame, 77)
    alpha = np.zeros(frame.shape[:2], np.uint8)
    colour = Compositor(Settings(background="colour", colour="#3366CC", light_wrap=1.0)).compose(frame, alpha)
    assert (colour.reshape(-1, 3) == (0xCC, 0x66, 0x33)).all()
    image = Compositor(Settings(background="image", image=photo_png, light_wrap=1.0)).compose(frame, alpha)
    np.testing.assert_array_equal(image, lucia_frame)
    blurred = Compositor(Settings(background="blur", blur_strength=30)).compose(lucia_frame, alpha)
    small = blur_background_small(lucia_frame, alpha, 30)
    np.testing.assert_array_equal(blurred, cv2.resize(small, lucia_frame.shape[1::-1]))


def test_blend_matches_float_math_within_one_level():
    rng = np.random.default_rng(1)
    frame, background = (rng.integers(0, 256, (90, 160, 3), dtype=np.uint8) for _ in range(2))
    alpha = rng.integers(0, 256, (90, 160), dtype=np.uint8)
    a = alpha[..., None] / 255.0
    expected = frame * a + background * (1 - a)
    assert np.abs(blend(frame, background, alpha) - expected).max() <= 1.0


def _bright_person_on_dark(size: tuple[int, int] = (1280, 720)) -> tuple[np.ndarray, np.ndarray]:
    w, h = size
    frame = np.full((h, w, 3), 20, np.uint8)
    alpha = np.zeros((h, w), np.uint8)
    cv2.ellipse(alpha, (w // 2, h), (w // 6, h * 3 // 4), 0, 0, 360, 255, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 2)
    frame += (alpha[..., None] * (230 / 255)).astype(np.uint8)  # an anti-aliased outline
    return frame, alpha


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (640, 480)])
def test_blur_has_no_halo_around_a_bright_person(size):
    frame, alpha = _bright_person_on_dark(size)
    out = Compositor(Settings(blur_strength=60)).compose(frame, alpha)
    ring = (cv2.dilate(alpha, np.ones((41, 41), np.uint8)) > 0) & (alpha == 0)
    naive = cv2.GaussianBlur(frame, (0, 0), 15)
    assert naive[ring].mean() > 40  # the scene does provoke a halo in a naive blur
    assert out[ring].max() <= 26
    assert out[alpha == 255].min() == 250


def test_blur_small_is_at_most_the_work_width():
    frame, alpha = _bright_person_on_dark((1920, 1080))
    small = blur_background_small(frame, alpha, 40)
    assert small.shape == (135, 240, 3)
    assert small.dtype == np.uint8


def test_blur_where_the_person_covers_everything_is_the_plain_blur():
    frame = np.random.default_rng(2).integers(0, 256, (180, 320, 3), dtype=np.uint8)
    alpha = np.full((180, 320), 255, np.uint8)
    small = blur_background_small(frame, alpha, 40)
    plain = blur_background_small(frame, np.zeros_like(alpha), 40)
    assert np.abs(small.astype(int) - plain).max() <= 1


def test_transparent_gives_rgba_with_alpha(lucia_frame):
    alpha = np.random.default_rng(3).integers(0, 256, lucia_frame.shape[:2], dtype=np.uint8)
    out = Compositor(Settings(background="transparent")).compose(lucia_frame, alpha)
    assert out.shape == (*lucia_frame.shape[:2], 4)
    np.testing.assert_array_equal(out[..., :3], lucia_frame)
    np.testing.assert_array_equal(out[..., 3], alpha)


def test_show_mask_shows_the_mask(lucia_frame):
    alpha = np.random.default_rng(4).integers(0, 256, lucia_frame.shape[:2], dtype=np.uint8)
    out = Compositor(Settings(show_mask=True)).compose(lucia_frame, alpha)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], alpha)


def test_light_wrap_touches_only_the_person_near_the_edge():
    frame = np.full((360, 640, 3), 90, np.uint8)
    alpha = np.zeros((360, 640), np.uint8)
    alpha[60:, 220:420] = 255
    plain = Compositor(Settings(background="colour", colour="#FF2000", light_wrap=0.0)).compose(frame, alpha)
    wrapped = Compositor(Settings(background="colour", colour="#FF2000", light_wrap=1.0)).compose(
        frame, alpha
    )
    changed = np.abs(wrapped.astype(int) - plain).max(axis=2) > 0
    near_edge = (cv2.dilate(255 - alpha, np.ones((41, 41), np.uint8)) > 0) & (alpha == 255)
    assert changed.any()
    assert not (changed & ~near_edge).any()
    assert wrapped[200, 230, 2] > plain[200, 230, 2]  # red light on the person's left edge


def test_update_keeps_the_old_background_when_the_new_file_is_bad(tmp_path, photo_png, lucia_frame):
    compositor = Compositor(Settings(background="image", image=photo_png))
    with pytest.raises(MediaError, match=r"missing\.png"):
        compositor.update(Settings(background="image", image=str(tmp_path / "missing.png")))
    alpha = np.zeros(lucia_frame.shape[:2], np.uint8)
    np.testing.assert_array_equal(compositor.compose(lucia_frame * 0, alpha), lucia_frame)
    compositor.close()
    compositor.close()


def test_outputs_are_new_arrays_each_frame(lucia_frame):
    compositor = Compositor(Settings())
    alpha = np.zeros(lucia_frame.shape[:2], np.uint8)
    first = compositor.compose(lucia_frame, alpha)
    kept = first.copy()
    compositor.compose(np.zeros_like(lucia_frame), alpha)
    np.testing.assert_array_equal(first, kept)


@pytest.mark.parametrize("size", [(1, 1), (7, 5), (853, 479), (1920, 1080)])
@pytest.mark.parametrize("mode", [0, 1, 2])
def test_any_frame_size_composites_to_the_same_size(size, mode, photo_png):
    w, h = size
    frame = np.random.default_rng(5).integers(0, 256, (h, w, 3), dtype=np.uint8)
    alpha = np.random.default_rng(6).integers(0, 256, (h, w), dtype=np.uint8)
    out = Compositor(_modes(photo_png)[mode]).compose(frame, alpha)
    assert out.shape == (h, w, 3)
    assert out.dtype == np.uint8


def test_light_wrap_glow_follows_a_new_background():
    frame = np.full((360, 640, 3), 90, np.uint8)
    alpha = np.zeros((360, 640), np.uint8)
    alpha[60:, 220:420] = 255
    red, blue = (Settings(background="colour", colour=c, light_wrap=1.0) for c in ("#FF2000", "#0020FF"))
    compositor = Compositor(red)
    first = compositor.compose(frame, alpha)
    compositor.update(blue)
    np.testing.assert_array_equal(compositor.compose(frame, alpha), Compositor(blue).compose(frame, alpha))
    assert not np.array_equal(compositor.compose(frame, alpha), first)
