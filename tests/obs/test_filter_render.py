"""What the Background Remover filter draws in real OBS, per mode, on a real person.

One OBS for the module plays a clip made of ONE real lucia frame repeated (``still_lucia``): the
async, webcam-style frame path runs as with any clip, yet every screenshot shows the same frame,
whose hand-drawn mask is known. After each settings change the test waits for the worker's own
signal (masks made with the new settings generation, :func:`settled_masks`), never for two equal
screenshots. Regions well inside the person / the background (the hand mask eroded) are checked
per mode, and the GPU composite is compared with the core's CPU compositor fed the same frame and
the same mask (the mask as the filter draws it with "show mask").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from bgremove_core.backgrounds import cover_fit, read_image
from bgremove_core.settings import Settings
from tests.support.images import frame_clip, regions
from tests.support.obs import Obs, ObsFactory
from tests.support.paths import SCRIPT
from tests.support.rig import GREEN, KIND, composites, passes_through, settled_masks
from tests.support.verdicts import (
    assert_background_blurred,
    assert_close_to_cpu,
    assert_mask_finds_person,
    assert_person_kept,
    assert_transparent,
    bgr,
    diff,
)

SOURCE, FILTER = "clip", "bgremove"
LIGHT_WRAP = Settings().light_wrap
"""Colour and image are checked with the default light wrap: it is what users see."""


class Scene:
    """The still clip with its filter, the unfiltered frame and the regions of that frame."""

    def __init__(self, obs: Obs, hand: np.ndarray) -> None:
        self.obs = obs
        obs.set_filter_enabled(SOURCE, FILTER, False)
        self.frame = bgr(obs.wait_rendering(SOURCE, ready=lambda rgba: passes_through(rgba, GREEN)))
        obs.set_filter_enabled(SOURCE, FILTER, True)
        found = regions(hand)
        self.person, self.background = found.person, found.background

    def show(self, **settings: object) -> np.ndarray:
        """Apply settings and return the screenshot once the filter draws masks made with them."""
        self.obs.set_filter_settings(SOURCE, FILTER, settings)
        settled_masks(self.obs)
        return self.obs.screenshot(SOURCE)

    def mask(self) -> np.ndarray:
        return self.show(show_mask=True)[..., 0]


@pytest.fixture(scope="module")
def scene(module_obs_factory: ObsFactory, still_lucia: Path, still_lucia_mask: np.ndarray) -> Iterator[Scene]:
    obs = module_obs_factory("render", scripts=[SCRIPT])
    obs.add_media(SOURCE, still_lucia)
    obs.wait_rendering(SOURCE)
    obs.add_filter(SOURCE, FILTER, KIND, GREEN)
    obs.wait_rendering(SOURCE, ready=composites(GREEN))
    yield Scene(obs, still_lucia_mask)
    obs.assert_clean_exit()


def _assert_person_kept(scene: Scene, out_bgr: np.ndarray) -> None:
    assert_person_kept(scene.frame, out_bgr, scene.person)


def _assert_background_shows(
    scene: Scene, out_bgr: np.ndarray, picture_file: Path, tolerance: int, share: float
) -> None:
    """The background region shows ``picture_file`` cover-fitted, and the person is still there."""
    h, w = out_bgr.shape[:2]
    picture = cover_fit(read_image(str(picture_file)), w, h)
    matched = (diff(out_bgr, picture) <= tolerance)[scene.background].mean()
    assert matched > share, f"only {matched:.1%} of the background shows {picture_file.name}"
    _assert_person_kept(scene, out_bgr)


def _assert_close_to_cpu(scene: Scene, out: np.ndarray, mask: np.ndarray, settings: Settings) -> None:
    assert_close_to_cpu(scene.obs, scene.frame, out, mask, settings)


def test_filter_kind_is_listed(scene: Scene) -> None:
    assert KIND in scene.obs.filter_kinds()


def test_mask_matches_the_hand_drawn_mask(scene: Scene) -> None:
    assert_mask_finds_person(scene.mask(), scene.person, scene.background)


def test_colour_mode(scene: Scene) -> None:
    out = scene.show(show_mask=False, background="colour", colour="#00FF00", light_wrap=LIGHT_WRAP)
    picture = bgr(out)
    green = (diff(picture, np.array([0, 255, 0], np.uint8)) <= 12)[scene.background].mean()
    assert green > 0.95, f"only {green:.1%} of the background turned green"
    _assert_person_kept(scene, picture)
    settings = Settings(background="colour", colour="#00FF00", light_wrap=LIGHT_WRAP)
    _assert_close_to_cpu(scene, out, scene.mask(), settings)


def test_light_wrap_tints_only_the_edge(scene: Scene) -> None:
    plain = bgr(scene.show(show_mask=False, background="colour", colour="#00FF00", light_wrap=0.0))
    wrapped = bgr(scene.show(light_wrap=0.8))
    changed = diff(wrapped, plain) > 4
    edge = ~(scene.person | scene.background)
    assert changed[edge].mean() > 0.05, "light wrap left the person's edge unchanged"
    assert changed[scene.person | scene.background].mean() < 0.01, "light wrap reached beyond the edge"
    greener = wrapped[changed][:, 1].astype(int) - plain[changed][:, 1].astype(int)
    assert greener.mean() > 4, "the edge should take the background's colour"


def test_blur_mode(scene: Scene) -> None:
    out = scene.show(show_mask=False, background="blur", blur_strength=40)
    assert_background_blurred(scene.frame, bgr(out), scene.background)
    _assert_person_kept(scene, bgr(out))
    _assert_close_to_cpu(scene, out, scene.mask(), Settings(background="blur", blur_strength=40))


def test_image_mode(scene: Scene, shared_data: Path) -> None:
    image = shared_data / "people" / "images" / "104.jpg"
    out = scene.show(show_mask=False, background="image", image=str(image), light_wrap=LIGHT_WRAP)
    _assert_background_shows(scene, bgr(out), image, tolerance=16, share=0.9)
    settings = Settings(background="image", image=str(image), light_wrap=LIGHT_WRAP)
    _assert_close_to_cpu(scene, out, scene.mask(), settings)


def test_transparent_mode(scene: Scene) -> None:
    out = scene.show(show_mask=False, background="transparent")
    assert_transparent(out, scene.person, scene.background)
    _assert_close_to_cpu(scene, out, scene.mask(), Settings(background="transparent"))


def test_unreadable_image_keeps_the_filter_working(scene: Scene, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-picture.png"
    out = scene.show(show_mask=False, background="image", image=str(missing))
    scene.obs.wait_log("no-such-picture.png")
    line = next(line for line in scene.obs.run_log.splitlines() if "no-such-picture.png" in line)
    assert re.search(r"does not exist.*blurred background instead", line), line
    _assert_person_kept(scene, bgr(out))
    assert (diff(bgr(out), scene.frame)[scene.background] > 12).mean() > 0.5, "background not replaced"


def test_video_mode(scene: Scene, shared_data: Path, tmp_path: Path) -> None:
    photo = shared_data / "people" / "images" / "104.jpg"
    video = frame_clip(cv2.imread(str(photo)), tmp_path / "photo.mp4", seconds=1)
    out = scene.show(show_mask=False, background="video", video=str(video), light_wrap=0.0)
    _assert_background_shows(scene, bgr(out), photo, tolerance=24, share=0.8)
