"""``make soak``: the OBS filter for 30 minutes on a looping 720p30 real clip, watched for leaks.

One real OBS (1280x720 canvas at 10 fps, see tests/support/soak.py for why) runs the
filter with its default settings on a 720p30 transcode of the real lucia clip. Prints a line per
minute (OBS and worker RSS, rendered and skipped frames, masks published), then the summary, and
exits 1 if a limit was broken: RSS growth > 20 MB after the warm-up for either process, > 1% of
render frames skipped, any worker restart, a stalled worker, or an unclean OBS exit.

    python -m bench.soak [--minutes 30] [--interval 5] [--workdir DIR]

``make soak`` first runs the same soak for 3 minutes (tests/reliability/obs/test_obs_soak.py).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.support.obs import Obs
from tests.support.paths import LUCIA as CLIP
from tests.support.paths import SCRIPT
from tests.support.soak import (
    FPS,
    HEIGHT,
    MB,
    WARMUP_SECONDS,
    WIDTH,
    WINDOW_SECONDS,
    Sample,
    run_soak,
    soak_clip,
)


def _print_minutely(sample: Sample, last: list[int]) -> None:
    minute = int(sample.seconds // 60)
    if last and minute == last[0]:
        return
    last[:] = [minute]
    print(
        f"{sample.seconds:6.0f} s  OBS {sample.obs_rss / MB:6.1f} MB  "
        f"worker {sample.worker_rss / MB:6.1f} MB  rendered {sample.rendered}  "
        f"skipped {sample.skipped}  masks {sample.masks}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--workdir", type=Path, help="keep OBS's log and config here (default: a temp dir)")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    if seconds < WARMUP_SECONDS + 2 * WINDOW_SECONDS:
        minimum = (WARMUP_SECONDS + 2 * WINDOW_SECONDS) / 60
        parser.error(f"--minutes must cover the warm-up and two measuring windows ({minimum:g} min).")
    with tempfile.TemporaryDirectory(prefix="bgremove-soak-") as scratch:
        workdir = (args.workdir or Path(scratch)).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        clip = soak_clip(CLIP.resolve(), workdir)
        with Obs(workdir / "obs", scripts=[SCRIPT], fps=FPS, width=WIDTH, height=HEIGHT) as obs:
            last: list[int] = []
            report = run_soak(obs, clip, seconds, args.interval, lambda s: _print_minutely(s, last))
        print(report.table())
        print(report.summary())
        for problem in report.problems():
            print(f"FAILED: {problem}")
        if report.problems():
            print(f"OBS log: {obs.log_path}" if args.workdir else "rerun with --workdir to keep OBS's log")
    return 1 if report.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
