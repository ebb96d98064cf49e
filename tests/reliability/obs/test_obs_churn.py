"""Churn in real OBS: filters added and removed 100 times, three filtered sources through 20 hot
script reloads, and a source whose resolution changes mid-stream down to 1x1.

How long a removal takes is measured by ``python -m bench.reliability`` (docs/RELIABILITY.md).
"No leak" is checked three ways: OBS's resident memory after the churn against after a warm-up,
no worker process or shared-memory mapping left behind, and OBS's own "Number of memory leaks: 0"
(libobs counts every allocation, GPU textures included) at a clean exit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.support.images import make_clip
from tests.support.procs import process_alive, rss_bytes, wait_until
from tests.support.rig import BLUE, GREEN, KIND, RED, Rig, composites, wait_gone

ADD_REMOVE_CYCLES = 100
WAIT_EVERY = 10
"""Every 10th added filter is left until it composites, so textures and a worker's full start-up
are part of the churn; the others are removed at once (a worker killed mid-start-up)."""
RELOADS = 20
RSS_GROWTH_LIMIT = 20 * 2**20
MB = 2**20


def _mapped_channels(pid: int) -> set[str]:
    """Shared-memory channel files the process still has mapped."""
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split()[-1] for line in maps if "bgremove-" in line and line.endswith(".shm")}


def test_filter_added_and_removed_100_times(obs_factory, lucia_clip: Path) -> None:
    rig = Rig.start(obs_factory)
    obs = rig.obs
    obs.add_media("clip", lucia_clip)
    obs.wait_rendering("clip")
    baseline = 0
    for cycle in range(ADD_REMOVE_CYCLES):
        obs.add_filter("clip", "bg", KIND, GREEN)
        if cycle % WAIT_EVERY == 0:
            obs.wait_rendering("clip", ready=composites(GREEN))
        obs.remove_filter("clip", "bg")
        if cycle == WAIT_EVERY - 1:
            baseline = rss_bytes(obs.pid)  # after a warm-up: allocator pools, Python caches
    growth = rss_bytes(obs.pid) - baseline

    pids = rig.worker_pids()
    assert len(pids) == ADD_REMOVE_CYCLES, "every added filter starts exactly one worker"
    wait_until(lambda: not any(map(process_alive, pids)), what="every removed filter's worker exiting")
    assert not _mapped_channels(obs.pid), "a removed filter's channel is still mapped in OBS"
    obs.add_filter("clip", "bg", KIND, BLUE)
    obs.wait_rendering("clip", ready=composites(BLUE))
    print(f"add/remove x{ADD_REMOVE_CYCLES}: OBS RSS growth after warm-up {growth / MB:+.1f} MB")
    assert growth <= RSS_GROWTH_LIMIT, f"OBS grew by {growth / MB:.1f} MB over {ADD_REMOVE_CYCLES} cycles"
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


def test_three_filtered_sources_survive_20_hot_reloads(obs_factory, lucia_clip: Path) -> None:
    rig = Rig.start(obs_factory)
    obs = rig.obs
    looks = {"one": GREEN, "two": BLUE, "three": RED}
    for source, settings in looks.items():
        obs.add_media(source, lucia_clip)
        obs.add_filter(source, "bg", KIND, settings)
    for source, settings in looks.items():
        obs.wait_rendering(source, ready=composites(settings))
    workers = rig.live_workers()
    assert len(workers) == 3

    baseline = 0
    for reload in range(RELOADS):
        obs.reload_scripts()
        for source, settings in looks.items():
            obs.wait_rendering(source, ready=composites(settings))
        if reload == 1:
            baseline = rss_bytes(obs.pid)
    growth = rss_bytes(obs.pid) - baseline
    obs.wait_log("reloaded (already registered in this OBS process)", count=RELOADS)
    assert rig.live_workers() == workers, "a script reload must not restart or orphan workers"

    obs.set_filter_settings("two", "bg", GREEN)  # handled by the twentieth reload's code
    obs.wait_rendering("two", ready=composites(GREEN))
    obs.remove_filter("three", "bg")
    wait_gone(workers[2], "the removed filter's worker exiting")
    print(f"{RELOADS} reloads with 3 live filters: OBS RSS growth after the second {growth / MB:+.1f} MB")
    assert growth <= RSS_GROWTH_LIMIT, f"OBS grew by {growth / MB:.1f} MB over {RELOADS} reloads"
    obs.assert_no_script_errors()
    obs.assert_clean_exit()


SIZES = ((1280, 720), (1920, 1080), (640, 360), (1281, 721), (1, 1), (1280, 720))


@pytest.fixture(scope="module")
def sized_clips(lucia_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, int], Path]:
    directory = tmp_path_factory.mktemp("sizes")
    return {size: make_clip(lucia_clip, directory / f"{size[0]}x{size[1]}.mp4", *size) for size in set(SIZES)}


def test_source_resolution_changes_mid_stream(obs_factory, sized_clips: dict) -> None:
    rig = Rig.start(obs_factory)
    obs = rig.obs
    obs.add_media("clip", sized_clips[SIZES[0]])
    obs.add_filter("clip", "bg", KIND, GREEN)
    for width, height in SIZES:
        obs.request(
            "SetInputSettings",
            {"inputName": "clip", "inputSettings": {"local_file": str(sized_clips[(width, height)])}},
        )
        tiny = min(width, height) < 16  # nothing to segment: right size, no crash, OBS renders on

        def ready(rgba: np.ndarray, size: tuple[int, int] = (height, width), tiny: bool = tiny) -> bool:
            return rgba.shape[:2] == size and (tiny or composites(GREEN)(rgba))

        frame = obs.wait_rendering("clip", ready=ready)
        rig.obs.wait_frames(10)
        assert frame.shape[:2] == (height, width)
    assert len(rig.worker_pids()) == 1, "a resolution change must not crash the worker"
    assert "The worker failed on a frame" not in obs.run_log
    obs.assert_no_script_errors()
    obs.assert_clean_exit()
