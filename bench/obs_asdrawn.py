"""Measured as drawn in real OBS: Keep in sync on and off on the shared clips, beside the CLI.

For each clip (720p, re-timed to 30 fps so each clip frame is one video frame) one OBS at 30 fps
plays it looping under the filter in colour mode with a key colour, once per mode; every frame
OBS outputs is captured and its picture and mask are identified from the pixels
(:mod:`tests.support.asdrawn`). Printed per clip and mode: how many output frames show the mask
of their own picture, the IoU of what OBS draws against the hand masks (the CLI's figure
beside it: ``bgremove process`` on the same clip), and the delay and frame counts the filter
logs at removal.

    python -m bench.obs_asdrawn [--clip NAME ...] [--frames 150]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from tests.support import asdrawn
from tests.support.obs import Obs
from tests.support.paths import SCRIPT

CLIPS = ("lucia", "hike", "breakdance-flare")
SOURCE, FILTER = "clip", "as drawn"
SETTLE_FRAMES = 30
COMPOSITE_SHARE = 0.3
SYNC_LINE = re.compile(rf"'{FILTER}': worker stopped; .*; (added video delay .*|no frame was held .*)")


def _key_share(rgba: np.ndarray) -> float:
    distance = np.linalg.norm(rgba[..., :3].astype(np.float32) - asdrawn.KEY_RGB, axis=2)
    return float((distance < asdrawn.NOT_KEY).mean())


def measure(obs: Obs, ref: asdrawn.Reference, keep_in_sync: bool, frames: int) -> tuple[asdrawn.Summary, str]:
    """One mode: add the filter, let it settle, capture ``frames`` output frames, remove it."""
    obs.add_filter(SOURCE, FILTER, "bgremove_filter", {**asdrawn.SETTINGS, "keep_in_sync": keep_in_sync})
    obs.wait_rendering(SOURCE, ready=lambda rgba: _key_share(rgba) > COMPOSITE_SHARE)
    obs.wait_frames(SETTLE_FRAMES)
    before = obs.stats()
    obs.start_capture()
    obs.wait_frames(frames)
    captured = np.asarray(obs.stop_capture())
    after = obs.stats()
    logged = len(SYNC_LINE.findall(obs.run_log))
    obs.remove_filter(SOURCE, FILTER)
    obs.wait_log(f"'{FILTER}': worker stopped;", count=logged + 1)
    skipped = after["renderSkippedFrames"] - before["renderSkippedFrames"]
    total = after["renderTotalFrames"] - before["renderTotalFrames"]
    return asdrawn.summarise(
        captured, ref
    ), f"{SYNC_LINE.findall(obs.run_log)[-1]}; OBS skipped {skipped} of {total}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", dest="clips", action="append", choices=CLIPS)
    parser.add_argument("--frames", type=int, default=150, help="output frames captured per mode")
    args = parser.parse_args(argv)
    rows = [
        "| clip | CLI IoU | mode | output frames | picture frame == mask frame (unambiguous ones) "
        "| IoU as drawn | mask - picture (frames: count) |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    notes = []
    with tempfile.TemporaryDirectory(prefix="bgremove-asdrawn-") as tmp:
        for name in args.clips or CLIPS:
            clip = asdrawn.make_clip(name, Path(tmp))
            ref = asdrawn.reference(name, clip, asdrawn.CAPTURE_SIZE)
            with Obs(Path(tmp) / f"obs-{name}", scripts=[SCRIPT], fps=asdrawn.FPS) as obs:
                obs.add_media(SOURCE, clip)
                obs.fit_to_canvas(SOURCE)
                obs.wait_rendering(SOURCE)
                for keep_in_sync in (True, False):
                    summary, logged = measure(obs, ref, keep_in_sync, args.frames)
                    mode = "sync on" if keep_in_sync else "sync off"
                    offsets = ", ".join(f"{k:+d}: {v}" for k, v in sorted(summary.mask_offset.items()))
                    rows.append(
                        f"| {name} | {ref.cli_iou:.3f} | {mode} | {summary.frames} | {summary.in_sync:.1%} "
                        f"({summary.in_sync_confident:.1%}) | "
                        f"{summary.iou_hand:.3f} | {offsets} |"
                    )
                    notes.append(f"- {name}, {mode}: {summary.line()}; filter log: {logged}")
                    print(notes[-1], flush=True)
                obs.stop()
    print("\n" + "\n".join(rows))
    print("\n" + "\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
