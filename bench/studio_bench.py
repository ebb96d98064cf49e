"""``bgremove studio`` against the CLI: what the web path adds to a file job, and preview latency.

    python -m bench.studio_bench [--size 720p] [--seconds 10] [--rounds 3] [--previews 15]

The input is lucia (../shared/data, never copied into the repo) looped to ``--seconds`` and
scaled to ``--size`` in a scratch folder, with a sound track, as bench/file_bench.py makes it.

- **Job**: the same file, default settings, one job at a time, alternated round by round so that
  machine load hits both alike. CLI: ``bgremove process IN OUT`` run in this process (``main``,
  so Python's start-up and imports are not counted: only the job, model load included, which
  is what the studio's job does too). Web: a real studio process (``--jobs 1``), the job's ``took``
  (the studio's clock from the POST that queued it to its result renamed into place and marked
  done: queue, planning, model load, the run and the database writes), while this script polls
  the queue as the page does (twice a second). The ratio of the medians is the web path's overhead.
- **Preview**: one 720p frame rendered by the studio, timed at the client (HTTP, decode, model,
  compose, PNG, transfer): a new position of the slider (a frame not yet decoded), a changed
  look (blur strength) and a changed background (a colour) on a decoded frame.

Prints Markdown tables (the ones in docs/PERFORMANCE.md, "bgremove studio").
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.file_bench import make_clip
from bgremove_core.cli.main import main
from bgremove_core.speed import DEFAULT_DATA
from tests.support.procs import wait_until
from tests.support.studio import Studio

POLL_SECONDS = 0.5
"""As often as the page asks: a faster poll would itself take CPU from the job being timed."""


def _cli_job(clip: Path, out: Path) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["process", str(clip), str(out), "--quiet", "--overwrite"])
    assert code == 0
    return time.perf_counter() - started


def _web_job(studio: Studio, upload: int) -> float:
    status, job = studio.request("api/jobs", {"upload": upload, "settings": {}})
    assert status == 201, job
    wait_until(lambda: studio.jobs()[job["id"]]["state"] == "done", deadline=3600, interval=POLL_SECONDS)
    return float(studio.jobs()[job["id"]]["took"])


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"{1000 * statistics.median(samples):.0f} | {1000 * p90:.0f}"


def _preview(studio: Studio, upload: int, at: float, settings: dict[str, object]) -> float:
    started = time.perf_counter()
    status, body = studio.request("api/preview", {"upload": upload, "at": at, "settings": settings})
    assert status == 200, body
    return time.perf_counter() - started


def bench(size: str, seconds: float, rounds: int, previews: int) -> str:
    """Run both benchmarks; the Markdown tables."""
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as scratch:
        work = Path(scratch)
        clip = make_clip(DEFAULT_DATA, work, size, seconds)
        studio = Studio(work / "studio", clip, "--jobs", 1).start()
        try:
            upload = studio.state()["uploads"][0]
            cli: list[float] = []
            web: list[float] = []
            for number in range(rounds):
                runs: list[Callable[[], None]] = [
                    lambda: cli.append(_cli_job(clip, work / "cli.mp4")),
                    lambda: web.append(_web_job(studio, upload["id"])),
                ]
                for job in runs if number % 2 == 0 else runs[::-1]:
                    job()
            fps = upload["info"]["fps"]
            frames = upload["info"]["frames"]
            positions = [(i * frames // previews + 0.5) / fps for i in range(previews)]
            _preview(studio, upload["id"], positions[0], {})  # loads the model once
            moved = [_preview(studio, upload["id"], at, {}) for at in positions[1:]]
            look = [
                _preview(studio, upload["id"], positions[0], {"blur_strength": 10 + i})
                for i in range(previews)
            ]
            colours = [f"#{40 + i:02X}80C0" for i in range(previews)]
            backdrop = [
                _preview(studio, upload["id"], positions[0], {"background": "colour", "colour": c})
                for c in colours
            ]
        finally:
            studio.stop()
    cli_s, web_s = statistics.median(cli), statistics.median(web)
    return "\n".join(
        [
            f"Job: {size} {seconds:g} s clip ({frames} frames), default settings, "
            f"{rounds} rounds, alternated.",
            "",
            "| path | median s | all runs s |",
            "|---|---:|---|",
            f"| `bgremove process` (in-process) | {cli_s:.2f} | {', '.join(f'{s:.2f}' for s in cli)} |",
            f"| studio: queued → done | {web_s:.2f} | {', '.join(f'{s:.2f}' for s in web)} |",
            f"| **web / CLI** | **{web_s / cli_s:.3f}** | |",
            "",
            f"Preview of one {size} frame, {previews} requests each, timed at the client.",
            "",
            "| change | median ms | p90 ms |",
            "|---|---:|---:|",
            f"| slider moved (frame decoded) | {_ms(moved)} |",
            f"| blur strength changed | {_ms(look)} |",
            f"| background colour changed | {_ms(backdrop)} |",
        ]
    )


def run() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="720p", choices=("720p", "1080p"))
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--previews", type=int, default=15)
    args = parser.parse_args()
    print(bench(args.size, args.seconds, args.rounds, args.previews))


if __name__ == "__main__":
    run()
