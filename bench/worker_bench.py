"""The OBS filter's worker without OBS: its CPU when idle and when fed frames at a frame rate.

OBS's own benchmark (``bench/obs_bench.py``) gives the worker's CPU inside real OBS but takes
minutes and mixes in OBS's load. This one starts the worker the way the filter does (the
supervisor, the channel, a wake-up per frame and per setting), lets it idle, then publishes the
real lucia frames scaled to 720p as I420 (what a media source hands the filter) at ``--fps`` and
reads the worker's CPU time from ``/proc``. Cases run one after the other on one machine.

    python -m bench.worker_bench [--fps 10] [--seconds 20] [--idle 10] [--case LABEL=JSON ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from bgremove_core.settings import Settings
from bgremove_obs.host.supervisor import WorkerProcess
from bgremove_obs.wire import formats
from bgremove_obs.wire.protocol import COLOUR_INFO
from tests.support.paths import LUCIA_FRAMES, REPO
from tests.support.procs import cpu_seconds, wait_until

WIDTH, HEIGHT = 1280, 720
_Y = 255 / 219
BT601_LIMITED = COLOUR_INFO.pack(
    *(_Y, 0.0, 1.596027, -_Y * 16 / 255 - 1.596027 * 0.5),
    *(_Y, -0.391762, -0.812968, -_Y * 16 / 255 + (0.391762 + 0.812968) * 0.5),
    *(_Y, 2.017232, 0.0, -_Y * 16 / 255 - 2.017232 * 0.5),
    *(0.0, 0.0, 0.0, 1.0),
    *(16 / 255,) * 3,
    *(235 / 255, 240 / 255, 240 / 255),
)
"""The matrix and ranges OBS hands over for BT.601 limited-range frames (OpenCV's encoder)."""
CASES = {"follow on": {}, "follow off": {"follow": False}}


def i420_frames() -> list[list[memoryview]]:
    """The lucia frames at 720p as the filter's payload parts: colour info, then Y, U, V."""
    parts = []
    for path in sorted(LUCIA_FRAMES.glob("*.jpg")):
        picture = cv2.resize(cv2.imread(str(path)), (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA)
        i420 = cv2.cvtColor(picture, cv2.COLOR_BGR2YUV_I420).reshape(-1)
        y, chroma = WIDTH * HEIGHT, WIDTH * HEIGHT // 4
        planes = (i420[:y], i420[y : y + chroma], i420[y + chroma :])
        parts.append([memoryview(BT601_LIMITED), *(np.ascontiguousarray(p).data for p in planes)])
    return parts


def run(label: str, overrides: dict, frames: list[list[memoryview]], args: argparse.Namespace) -> str:
    """One case: start a worker, measure it idle, then fed at ``args.fps``; one result line."""
    worker = WorkerProcess(Path(sys.executable), REPO, lambda _line: None)
    try:
        settings = Settings.from_mapping({**Settings().to_mapping(), **overrides})
        worker.channel.settings.publish((1,), [json.dumps(settings.to_mapping()).encode()])
        worker.wake()
        wait_until(lambda: worker.channel.heartbeat.count() > 0, what="the worker's first heartbeat")
        pid = worker.pid
        assert pid is not None
        time.sleep(args.warmup)
        idle_cpu, start = cpu_seconds(pid), time.monotonic()
        time.sleep(args.idle)
        idle = (cpu_seconds(pid) - idle_cpu) / (time.monotonic() - start)
        number = 0

        def feed(seconds: float) -> None:
            nonlocal number
            start = due = time.monotonic()
            while time.monotonic() - start < seconds:
                number += 1
                meta = (number, WIDTH, HEIGHT, formats.VIDEO_FORMAT_I420, WIDTH, WIDTH // 2, WIDTH // 2)
                worker.channel.frames.publish(meta, frames[number % len(frames)])
                worker.wake()
                worker.poll()
                due += 1 / args.fps
                time.sleep(max(0.0, due - time.monotonic()))

        feed(args.warmup)
        masks, busy_cpu, start = worker.channel.masks.count(), cpu_seconds(pid), time.monotonic()
        feed(args.seconds)
        wall = time.monotonic() - start
        busy, masks = (cpu_seconds(pid) - busy_cpu) / wall, worker.channel.masks.count() - masks
    finally:
        worker.close()
    per_mask = 1000 * busy * wall / max(masks, 1)
    return f"| {label} | {idle:.3f} | {busy:.3f} | {masks} / {round(wall * args.fps)} | {per_mask:.1f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=float, default=10, help="frames published per second")
    parser.add_argument("--seconds", type=float, default=20, help="measured time fed with frames")
    parser.add_argument("--idle", type=float, default=10, help="measured time without frames")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before each measurement")
    parser.add_argument(
        "--case",
        dest="cases",
        action="append",
        type=lambda text: text.split("=", 1),
        metavar="LABEL=JSON",
        help="settings over the defaults; repeatable (default: follow on, follow off)",
    )
    args = parser.parse_args(argv)
    cases = {label: json.loads(text) for label, text in args.cases} if args.cases else CASES
    frames = i420_frames()
    print(
        f"Worker alone, {WIDTH}x{HEIGHT} I420 lucia frames at {args.fps:g} fps, {args.seconds:g} s per case\n"
    )
    print("| case | idle cores | cores fed | masks / frames | CPU ms per mask |\n|---|---:|---:|---:|---:|")
    for label, overrides in cases.items():
        print(run(label, overrides, frames, args), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
