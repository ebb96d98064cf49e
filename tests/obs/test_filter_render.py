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
from bgremove_core.compose import Compositor
from bgremove_core.settings import Settings
from tests.support.images import frame_clip, regions
from tests.support.obs import Obs, ObsFactory
from tests.support.paths import SCRIPT
from tests.support.rig import GREEN, KIND, composites, passes_through, settled_masks

SOURCE, FILTER = "clip", "bgremove"
GPU_VS_CPU_MEAN = 1.5
GPU_VS_CPU_P99 = 6
"""Tolerances (grey levels, max over channels) between the GPU composite and the CPU reference.
Colour/transparent/image should be exact up to rounding; blur and light wrap differ a little
because the worker blurs a 640 px wide copy of the frame where the CPU path starts from the full
frame."""
LIGHT_WRAP = Settings().light_wrap
"""Colour and image are checked with the default light wrap: it is what users see."""


def _bgr(rgba: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR)


class Scene:
    """The still clip with its filter, the unfiltered frame and the regions of that frame."""

    def __init__(self, obs: Obs, hand: np.ndarray) -> None:
        self.obs = obs
        obs.set_filter_enabled(SOURCE, FILTER, False)
        self.frame = _bgr(obs.wait_rendering(SOURCE, ready=lambda rgba: passes_through(rgba, GREEN)))
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


def _diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=-1)


def _assert_person_kept(scene: Scene, out_bgr: np.ndarray) -> None:
    kept = (_diff(out_bgr, scene.frame)[scene.person] <= 12).mean()
    assert kept > 0.9, f"only {kept:.1%} of the person's core pixels kept their original colour"


def _assert_background_shows(
    scene: Scene, bgr: np.ndarray, picture_file: Path, tolerance: int, share: float
) -> None:
    """The background region shows ``picture_file`` cover-fitted, and the person is still there."""
    h, w = bgr.shape[:2]
    picture = cover_fit(read_image(str(picture_file)), w, h)
    matched = (_diff(bgr, picture) <= tolerance)[scene.background].mean()
    assert matched > share, f"only {matched:.1%} of the background shows {picture_file.name}"
    _assert_person_kept(scene, bgr)


def _assert_close_to_cpu(scene: Scene, out: np.ndarray, mask: np.ndarray, settings: Settings) -> None:
    compositor = Compositor(settings)
    try:
        expected = compositor.compose(scene.frame, mask)
    finally:
        compositor.close()
    actual = _bgr(out) if expected.shape[2] == 3 else cv2.cvtColor(out, cv2.COLOR_RGBA2BGRA)
    diff = _diff(actual, expected)
    name = settings.background
    if diff.mean() > GPU_VS_CPU_MEAN or np.percentile(diff, 99) > GPU_VS_CPU_P99:
        scene.obs.save_image(f"expected_{name}", cv2.cvtColor(expected[..., :3], cv2.COLOR_BGR2RGB))
        scene.obs.save_image(f"diff_{name}", np.clip(diff * 8, 0, 255).astype(np.uint8))
    assert diff.mean() <= GPU_VS_CPU_MEAN, f"{name}: mean |GPU - CPU| = {diff.mean():.2f}"
    assert np.percentile(diff, 99) <= GPU_VS_CPU_P99, f"{name}: p99 |GPU - CPU| = {np.percentile(diff, 99)}"


def test_filter_kind_is_listed(scene: Scene) -> None:
    assert KIND in scene.obs.filter_kinds()


def test_mask_matches_the_hand_drawn_mask(scene: Scene) -> None:
    mask = scene.mask()
    assert (mask[scene.person] > 128).mean() > 0.9
    assert (mask[scene.background] < 128).mean() > 0.97


def test_colour_mode(scene: Scene) -> None:
    out = scene.show(show_mask=False, background="colour", colour="#00FF00", light_wrap=LIGHT_WRAP)
    bgr = _bgr(out)
    green = (_diff(bgr, np.array([0, 255, 0], np.uint8)) <= 12)[scene.background].mean()
    assert green > 0.95, f"only {green:.1%} of the background turned green"
    _assert_person_kept(scene, bgr)
    settings = Settings(background="colour", colour="#00FF00", light_wrap=LIGHT_WRAP)
    _assert_close_to_cpu(scene, out, scene.mask(), settings)


def test_light_wrap_tints_only_the_edge(scene: Scene) -> None:
    plain = _bgr(scene.show(show_mask=False, background="colour", colour="#00FF00", light_wrap=0.0))
    wrapped = _bgr(scene.show(light_wrap=0.8))
    changed = _diff(wrapped, plain) > 4
    edge = ~(scene.person | scene.background)
    assert changed[edge].mean() > 0.05, "light wrap left the person's edge unchanged"
    assert changed[scene.person | scene.background].mean() < 0.01, "light wrap reached beyond the edge"
    greener = wrapped[changed][:, 1].astype(int) - plain[changed][:, 1].astype(int)
    assert greener.mean() > 4, "the edge should take the background's colour"


def test_blur_mode(scene: Scene) -> None:
    out = scene.show(show_mask=False, background="blur", blur_strength=40)
    bgr = _bgr(out)
    detail = np.abs(cv2.Laplacian(cv2.cvtColor(scene.frame, cv2.COLOR_BGR2GRAY), cv2.CV_32F))
    blurred = np.abs(cv2.Laplacian(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.CV_32F))
    ratio = blurred[scene.background].mean() / detail[scene.background].mean()
    assert ratio < 0.4, f"background detail only fell to {ratio:.0%} of the original"
    _assert_person_kept(scene, bgr)
    _assert_close_to_cpu(scene, out, scene.mask(), Settings(background="blur", blur_strength=40))


def test_image_mode(scene: Scene, shared_data: Path) -> None:
    image = shared_data / "people" / "images" / "104.jpg"
    out = scene.show(show_mask=False, background="image", image=str(image), light_wrap=LIGHT_WRAP)
    _assert_background_shows(scene, _bgr(out), image, tolerance=16, share=0.9)
    settings = Settings(background="image", image=str(image), light_wrap=LIGHT_WRAP)
    _assert_close_to_cpu(scene, out, scene.mask(), settings)


def test_transparent_mode(scene: Scene) -> None:
    out = scene.show(show_mask=False, background="transparent")
    alpha = out[..., 3]
    assert (alpha[scene.background] < 16).mean() > 0.97
    assert (alpha[scene.person] > 240).mean() > 0.9
    _assert_close_to_cpu(scene, out, scene.mask(), Settings(background="transparent"))


def test_unreadable_image_keeps_the_filter_working(scene: Scene, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-picture.png"
    out = scene.show(show_mask=False, background="image", image=str(missing))
    scene.obs.wait_log("no-such-picture.png")
    line = next(line for line in scene.obs.run_log.splitlines() if "no-such-picture.png" in line)
    assert re.search(r"does not exist.*blurred background instead", line), line
    _assert_person_kept(scene, _bgr(out))
    assert (_diff(_bgr(out), scene.frame)[scene.background] > 12).mean() > 0.5, "background not replaced"


def test_video_mode(scene: Scene, shared_data: Path, tmp_path: Path) -> None:
    photo = shared_data / "people" / "images" / "104.jpg"
    video = frame_clip(cv2.imread(str(photo)), tmp_path / "photo.mp4", seconds=1)
    out = scene.show(show_mask=False, background="video", video=str(video), light_wrap=0.0)
    _assert_background_shows(scene, _bgr(out), photo, tolerance=24, share=0.8)
