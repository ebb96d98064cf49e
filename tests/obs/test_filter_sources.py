"""The filter on sources that give no CPU frames (sync sources: images, captures, scenes).

Such sources exist only as GPU textures; the filter reads them back small and feeds the same
worker. Checked on an ``image_source`` of a real lucia frame against its hand-drawn mask, and on
a whole scene holding that image.
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from tests.support.images import colour_pixels, hand_mask, regions
from tests.support.obs import SCENE, Obs
from tests.support.paths import SCRIPT
from tests.support.rig import KIND

GREEN = {"background": "colour", "colour": "#00FF00"}


def _regions(index: int) -> tuple[np.ndarray, np.ndarray]:
    found = regions(hand_mask(index))
    return found.person, found.background


def _green(rgba: np.ndarray) -> np.ndarray:
    return colour_pixels(rgba, (0, 255, 0))


def _drawn_and_median_age(obs: Obs) -> tuple[int, int]:
    """From the filter's last log line: frames drawn with a mask, and their median mask age."""
    pattern = r"worker stopped; (\d+) frames drawn with a mask; mask age p50 (\d+)"
    drawn, p50 = re.findall(pattern, obs.run_log)[-1]
    return int(drawn), int(p50)


def test_image_source_is_segmented_like_the_hand_mask(obs_factory, lucia_clip: Path) -> None:
    frame = lucia_clip.parent / "lucia_frames" / "00000.jpg"
    person, background = _regions(0)
    original = cv2.cvtColor(cv2.imread(str(frame)), cv2.COLOR_BGR2RGB)
    obs = obs_factory(scripts=[SCRIPT])
    obs.add_image("still", frame)
    obs.wait_rendering("still")
    obs.add_filter("still", "bg", KIND, GREEN)

    out = obs.wait_rendering("still", ready=lambda rgba: _green(rgba)[background].mean() > 0.95)
    kept = (np.abs(out[..., :3].astype(int) - original).max(axis=-1) <= 12)[person].mean()
    assert kept > 0.9, f"only {kept:.1%} of the person's core pixels kept their colour"

    obs.set_filter_settings("still", "bg", {"show_mask": True})
    mask = obs.wait_rendering("still", ready=lambda rgba: (rgba[..., 0][background] < 128).mean() > 0.97)
    assert (mask[..., 0][person] > 128).mean() > 0.9

    obs.remove_filter("still", "bg")
    obs.wait_log("worker stopped;")
    drawn, median_age = _drawn_and_median_age(obs)
    # With Keep in sync (the default) the picture drawn is the one read back for the mask drawn:
    # age 0. What waiting for the mask costs is the delay ``python -m bench.obs_bench`` measures.
    assert drawn > 0 and median_age == 0, (drawn, median_age)
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_filter_on_a_whole_scene(obs_factory, lucia_clip: Path) -> None:
    """A filter on a whole scene (a sync source made of other sources) sees what the scene shows."""
    frame = lucia_clip.parent / "lucia_frames" / "00000.jpg"
    obs = obs_factory(scripts=[SCRIPT], width=854, height=480)
    obs.add_image("still", frame)
    obs.wait_rendering("still")
    direct = _green(obs.screenshot(SCENE))
    assert not direct.any(), "the scene must not be green before the filter"

    obs.add_filter(SCENE, "bg", KIND, GREEN)
    _, background = _regions(0)
    out = obs.wait_rendering(SCENE, ready=lambda rgba: _green(rgba)[background].mean() > 0.95)
    assert _green(out).mean() < 0.97, "the person must stay visible"
    obs.assert_no_script_errors()
    obs.assert_clean_exit()
