"""The filter on the source material streamers really feed it, in real OBS (29, 30, 32).

Each case of :data:`tests.support.material.MATERIALS` (lossy H.264 tagged BT.601 / BT.709 /
untagged and full range, MJPEG webcam 4:2:2, raw NV12 / YUY2 / UYVY, 4:4:4, BGRA, RGBA, 10-bit,
and an ``image_source``) is played by one OBS, one after the other: first the frame format OBS
hands the filter is checked on what the worker receives (the case tests what it claims), then
the render tests' verdicts per mode on the program output (the scene, which the 720p material
fills; a screenshot of a 10-bit source alone shows its linear-light values, darker than what
OBS outputs): the mask finds the person, the colour mode keeps the
person and replaces the background, transparent alpha is right, blur blurs, and each composite
stays close to the core's CPU compositor fed OBS's own unfiltered picture.

A clip OBS hands over in a format the filter does not read (I40A: video with alpha) must pass
through unchanged, with one sentence in OBS's log and the filter's properties.

``make test`` runs :data:`FAST` (formats the filter reads its own way and the full-range clip
OBS 30/32 users met as a flat green picture); ``make test-obs-matrix`` runs every case on all
three OBS versions (marker ``matrix``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bgremove_core.settings import Settings
from bgremove_obs.wire import formats
from bgremove_obs.wire.formats import FORMATS
from bgremove_obs.wire.protocol import COLOUR_INFO, FrameMeta, parse
from tests.support.images import Regions, regions
from tests.support.material import MATERIALS, Material, hand_mask_720p, make
from tests.support.obs import SCENE, Obs, ObsFactory
from tests.support.paths import SCRIPT
from tests.support.procs import wait_until
from tests.support.rig import (
    GREEN,
    KIND,
    Rig,
    passes_through,
    settled_masks,
    wait_gone,
    worker_channel,
    worker_pids,
)
from tests.support.verdicts import (
    KEPT_LEVELS,
    assert_background_blurred,
    assert_close_to_cpu,
    assert_mask_finds_person,
    assert_person_kept,
    assert_transparent,
    bgr,
    diff,
)

FILTER = "bgremove"
FAST = frozenset({"h264-full-range", "mjpeg-422-full-range", "h264-10bit"})
"""Cases in ``make test``, on every OBS version: the full-range clip that came out flat green,
the MJPEG webcam (4:2:2, full range) and 10-bit H.264, formats the worker converts its own way."""


def _cases() -> list:
    return [
        pytest.param(m, id=m.name, marks=() if m.name in FAST else (pytest.mark.matrix,)) for m in MATERIALS
    ]


@pytest.fixture(scope="module")
def obs(module_obs_factory: ObsFactory) -> Iterator[Obs]:
    started = module_obs_factory("formats", scripts=[SCRIPT])
    yield started
    started.assert_no_script_errors()
    started.assert_clean_exit()


@pytest.fixture(scope="module")
def found() -> Regions:
    return regions(hand_mask_720p())


def _received(obs: Obs) -> tuple[FrameMeta, tuple[float, ...]]:
    """The newest frame the worker received: its metadata and colour description."""
    got: list = []

    def arrived() -> bool:
        with worker_channel(worker_pids(obs)[-1]) as channel:
            message = channel.frames.read(again=True)
            if message is not None:
                got[:] = [parse(FrameMeta, message.meta), COLOUR_INFO.unpack_from(message.payload, 0)]
        return bool(got)

    wait_until(arrived, what="a frame in the worker's mailbox")
    return got[0], got[1]


def _assert_delivered(obs: Obs, material: Material) -> None:
    """OBS hands the filter the format this material stands for, with a usable colour range."""
    meta, colour = _received(obs)
    expected = formats.VIDEO_FORMAT_RGBA if material.image else material.obs_format
    name = FORMATS[expected].name if expected in FORMATS else str(expected)
    assert meta.format == expected, f"OBS handed the filter video format {meta.format}, not {name}"
    if FORMATS[expected].yuv:
        low, high = colour[16:19], colour[19:22]
        span = (0.0, 1.0) if material.full_range else (16 / 255, 240 / 255)
        assert min(low) == pytest.approx(span[0], abs=0.01), f"{name}: range minimum {low}"
        assert max(high) == pytest.approx(span[1], abs=0.01), f"{name}: range maximum {high}"


def _show(obs: Obs, source: str, shot: str = SCENE, **settings: object) -> np.ndarray:
    """A screenshot of ``shot`` (the program output) once the filter draws masks made with
    ``settings``; the transparent mode is seen on the source itself (the scene has no alpha)."""
    obs.set_filter_settings(source, FILTER, settings)
    settled_masks(obs)
    return obs.screenshot(shot)


@pytest.mark.parametrize("material", _cases())
def test_source_material(obs: Obs, material: Material, found: Regions, tmp_path: Path) -> None:
    source = material.name
    path = make(material, tmp_path)
    if material.image:
        obs.add_image(source, path)
    else:
        obs.add_media(source, path)
    try:
        obs.wait_rendering(source)
        frame = bgr(obs.wait_rendering(SCENE))
        started = len(worker_pids(obs))
        obs.add_filter(source, FILTER, KIND, GREEN)
        obs.wait_log(f"'{FILTER}': worker started", count=started + 1)
        _assert_delivered(obs, material)
        person, background = found.person, found.background

        out = _show(obs, source, **GREEN)
        green = (diff(bgr(out), np.array([0, 255, 0], np.uint8)) <= 12)[background].mean()
        assert green > 0.95, f"only {green:.1%} of the background turned green"
        assert_person_kept(frame, bgr(out), person)
        mask = _show(obs, source, show_mask=True)[..., 0]
        assert_mask_finds_person(mask, person, background)
        colour = Settings(background="colour", colour="#00FF00", light_wrap=0)
        assert_close_to_cpu(obs, frame, out, mask, colour)

        out = _show(obs, source, source, show_mask=False, background="transparent")
        assert_transparent(out, person, background)
        assert_close_to_cpu(obs, frame, out, mask, Settings(background="transparent"))

        out = _show(obs, source, background="blur", blur_strength=40)
        assert_background_blurred(frame, bgr(out), background)
        assert_person_kept(frame, bgr(out), person)
        assert_close_to_cpu(obs, frame, out, mask, Settings(background="blur", blur_strength=40))
    finally:
        pids = worker_pids(obs)
        obs.request("RemoveInput", {"inputName": source})
        if pids:
            wait_gone(pids[-1], "the removed source's worker exiting")


def test_frames_the_filter_cannot_read_pass_through_and_say_why(
    obs_factory: ObsFactory, tmp_path: Path
) -> None:
    """A clip with an alpha channel (yuva420p: OBS hands over I40A, which the filter does not read)
    is shown unchanged, and one sentence says why in OBS's log and the filter's properties."""
    clip = tmp_path / "alpha.mkv"
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(make(MATERIALS[0], tmp_path)),
         "-vf", "format=yuva420p", "-c:v", "ffv1", str(clip)],
        check=True,
    )  # fmt: skip
    rig = Rig.start(obs_factory)
    obs = rig.obs
    obs.add_media("alpha", clip)
    plain = obs.wait_rendering(SCENE)
    obs.add_filter("alpha", FILTER, KIND, GREEN)
    sentence = "video format I40A, which the filter cannot read yet; the picture passes through unchanged."
    obs.wait_log(sentence)
    assert any(sentence in line for line in rig.wait_panel("alpha", FILTER, sentence))
    out = obs.screenshot(SCENE)
    assert passes_through(out, GREEN), "the filter drew over a picture it cannot read"
    assert (diff(bgr(out), bgr(plain)) <= KEPT_LEVELS).mean() > 0.99, "the picture changed"
    obs.assert_no_script_errors()
    obs.assert_clean_exit()
