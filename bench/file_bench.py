"""File jobs end to end: where the time goes, against ffmpeg and a seed-style script, and batch throughput.

    python bench/file_bench.py profile [--sizes 720p 1080p] [--seconds 20]
    python bench/file_bench.py compare [--sizes 720p 1080p] [--seconds 20] [--rounds 3]
                                       [--before DIR] [--crf N]
    python bench/file_bench.py batch [--copies 2] [--jobs 1 2 default] [--rounds 2]

Inputs are made from the real clips in ../shared/data/clips (never copied into the repo) in a
scratch folder: lucia looped to ``--seconds`` and scaled to each size, H.264 CRF 18 with a sine
sound track; for ``batch``, every clip with a sound track, ``--copies`` times.

- ``profile``: ``bgremove process --profile`` on each input (per-stage busy/CPU/waiting times).
- ``compare``: three commands on the same file, alternated round by round so machine load hits
  all alike, each timed as a whole process (start-up included): ``bgremove process``; a bare
  ``ffmpeg -i IN -c:v libx264 -preset superfast -c:a copy OUT`` (decode + the same encoder, the
  floor for any filter); and the seed-style script (``seed`` below: OpenCV decode, MediaPipe on
  the full frame, ``np.where`` over a ``GaussianBlur``, ``cv2.VideoWriter``). The ratios of
  medians are the figures to trust. ``--before DIR`` adds ``bgremove process`` run from another
  checkout (e.g. a worktree of main) to the same rounds: a before/after under the same load.
  ``--crf 23`` adds bgremove at the bare ffmpeg's quality (x264's default) to the same rounds,
  beside its own 18: the same encoder work on both sides, so that ratio is what the filter costs.
- ``batch``: ``bgremove batch --jobs N`` on the folder for each N, alternated; files/min, frames/s.

Prints Markdown tables (the ones in docs/PERFORMANCE.md, "File jobs").
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bgremove_core.speed import DEFAULT_DATA, SIZES

CLIPS = ("lucia", "hike", "breakdance-flare")
BGREMOVE = [sys.executable, "-m", "bgremove_core.cli"]
BARE_TRANSCODE = ("-c:v", "libx264", "-preset", "superfast", "-c:a", "copy")
"""What the issue compares against: decode and re-encode with the encoder bgremove uses."""
_JOB_SECONDS = re.compile(r"in ([0-9.]+) s, ")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def make_clip(data: Path, work: Path, size: str, seconds: float) -> Path:
    """lucia looped to ``seconds``, scaled to ``size``, H.264 CRF 18 with a sound track."""
    w, h = SIZES[size]
    out = work / f"lucia-{size}-{seconds:g}s.mp4"
    if not out.exists():
        _ffmpeg(
            *("-stream_loop", "-1", "-i", str(data / "clips" / "lucia.mp4")),
            *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"),
            *("-t", f"{seconds}", "-map", "0:v", "-map", "1:a", "-vf", f"scale={w}:{h}"),
            *("-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac", str(out)),
        )
    return out


def _timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run ``cmd`` (in ``cwd``); return (wall seconds, CPU seconds of it and its children, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def _frames(path: Path) -> int:
    """Video frames in ``path``, counted (not the container's estimate)."""
    probe = ("-v", "error", "-count_packets", "-select_streams", "v:0")
    fields = ("-show_entries", "stream=nb_read_packets", "-of", "csv=p=0")
    out = subprocess.run(["ffprobe", *probe, *fields, str(path)], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def profile(args: argparse.Namespace) -> None:
    for size in args.sizes:
        clip = make_clip(args.data, args.work, size, args.seconds)
        _, _, out = _timed(
            [*BGREMOVE, "process", str(clip), str(args.work / "profile.mp4"), "--overwrite", "--profile"]
        )
        print(f"### {size}, {_frames(clip)} frames\n\n{out.strip()}\n")


def compare(args: argparse.Namespace) -> None:
    print(
        "| size | frames | ffmpeg s | bgremove s (job s) | seed-style s | bgremove / ffmpeg "
        "| seed-style / bgremove | CPU s: ffmpeg / bgremove / seed |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    before: list[str] = []
    equal: list[str] = []
    for size in args.sizes:
        clip = make_clip(args.data, args.work, size, args.seconds)
        out = args.work / "out.mp4"
        cases = {
            "ffmpeg": ["ffmpeg", "-v", "error", "-y", "-i", str(clip), *BARE_TRANSCODE, str(out)],
            "bgremove": [*BGREMOVE, "process", str(clip), str(out), "--overwrite"],
            "seed": [sys.executable, str(Path(__file__).resolve()), "seed", str(clip), str(out)],
        }
        if args.before is not None:  # python -m finds the package in the working directory first
            cases["before"] = cases["bgremove"]
        if args.crf is not None:
            cases["crf"] = [*cases["bgremove"], "--crf", str(args.crf)]
        wall: dict[str, list[float]] = {k: [] for k in cases}
        cpu: dict[str, list[float]] = {k: [] for k in cases}
        job: list[float] = []
        for _ in range(args.rounds):
            for name, cmd in cases.items():
                seconds, used, stdout = _timed(cmd, args.before if name == "before" else None)
                wall[name].append(seconds)
                cpu[name].append(used)
                if name == "bgremove":
                    job.append(float(_JOB_SECONDS.search(stdout).group(1)))
        m = {k: statistics.median(v) for k, v in wall.items()}
        c = {k: statistics.median(v) for k, v in cpu.items()}
        job_median = statistics.median(job)
        print(
            f"| {size} | {_frames(clip)} | {m['ffmpeg']:.2f} | {m['bgremove']:.2f} ({job_median:.2f}) "
            f"| {m['seed']:.2f} | {m['bgremove'] / m['ffmpeg']:.2f}x | {m['seed'] / m['bgremove']:.2f}x "
            f"| {c['ffmpeg']:.1f} / {c['bgremove']:.1f} / {c['seed']:.1f} |"
        )
        if args.crf is not None:
            equal.append(
                f"| {size} | {m['crf']:.2f} | {m['crf'] / m['ffmpeg']:.2f}x | {m['seed'] / m['crf']:.2f}x "
                f"| {c['crf']:.1f} |"
            )
        if args.before is not None:
            before.append(
                f"| {size} | {m['before']:.2f} / {m['bgremove']:.2f} | {m['before'] / m['ffmpeg']:.2f}x "
                f"/ {m['bgremove'] / m['ffmpeg']:.2f}x | {c['before']:.1f} / {c['bgremove']:.1f} |"
            )
    if equal:
        print(f"\nbgremove --crf {args.crf}, same rounds:\n")
        print("| size | wall s | / ffmpeg | seed-style / it | CPU s |\n|---|---:|---:|---:|---:|")
        print("\n".join(equal))
    if before:
        print(f"\nBefore ({args.before}) / after, same rounds:\n")
        print("| size | wall s | / ffmpeg | CPU s |\n|---|---|---|---|")
        print("\n".join(before))


def batch(args: argparse.Namespace) -> None:
    from bgremove_core.filejob.batch import default_jobs

    folder = args.work / "batch-in"
    if not folder.is_dir():
        folder.mkdir()
        for name in CLIPS:
            for copy in range(args.copies):
                _ffmpeg(
                    *("-i", str(args.data / "clips" / f"{name}.mp4")),
                    *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"),
                    *("-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-shortest"),
                    str(folder / f"{name}-{copy}.mp4"),
                )
    files = sorted(folder.iterdir())
    frames = sum(_frames(f) for f in files)
    jobs = [default_jobs() if j == "default" else int(j) for j in args.jobs]
    wall: dict[int, list[float]] = {j: [] for j in jobs}
    for _ in range(args.rounds):
        for j in wall:
            out = args.work / "batch-out"
            shutil.rmtree(out, ignore_errors=True)
            seconds, _, _ = _timed(
                [*BGREMOVE, "batch", str(folder), "--out", str(out), "--jobs", str(j), "-q"]
            )
            wall[j].append(seconds)
    print(
        f"{len(files)} files, {frames} frames (854x480, 24 fps, with sound); default --jobs here: "
        f"{default_jobs()}; median of {args.rounds} alternated rounds, start-up included.\n"
    )
    print("| jobs | seconds | files/min | frames/s |")
    print("|---:|---:|---:|---:|")
    for j, times in wall.items():
        s = statistics.median(times)
        print(
            f"| {j}{' (default)' if j == default_jobs() else ''} | {s:.1f} | {60 * len(files) / s:.1f} "
            f"| {frames / s:.1f} |"
        )


def seed(args: argparse.Namespace) -> None:
    """The seed-style script: what a first implementation does with a file."""
    import cv2

    from bgremove_core.speed import Baseline

    capture = cv2.VideoCapture(str(args.input))
    fps = capture.get(cv2.CAP_PROP_FPS)
    size = (int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    writer = cv2.VideoWriter(str(args.output), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    baseline = Baseline("landscape")
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        writer.write(baseline.process(frame))
    writer.release()
    capture.release()
    baseline.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Development data folder.")
    parser.add_argument("--work", type=Path, help="Scratch folder (default: a new temporary one).")
    sub = parser.add_subparsers(dest="suite", required=True)
    for name in ("profile", "compare"):
        p = sub.add_parser(name)
        p.add_argument("--sizes", nargs="+", choices=tuple(SIZES), default=list(SIZES))
        p.add_argument("--seconds", type=float, default=20.0, help="Length of the input clip.")
        p.add_argument("--rounds", type=int, default=3, help="Alternated rounds (compare).")
        p.add_argument("--before", type=Path, help="compare: also time bgremove from this checkout.")
        p.add_argument("--crf", type=int, help="compare: also time bgremove --crf N.")
    p = sub.add_parser("batch")
    p.set_defaults(before=None)
    p.add_argument("--copies", type=int, default=2, help="Copies of each real clip in the folder.")
    p.add_argument("--jobs", nargs="+", default=["1", "2", "default"], help="--jobs values to time.")
    p.add_argument("--rounds", type=int, default=2)
    p = sub.add_parser("seed")
    p.set_defaults(before=None)
    p.add_argument("input", type=Path)
    p.add_argument("output", type=Path)
    args = parser.parse_args()
    if args.before is not None:
        args.before = args.before.resolve()
    if args.suite == "batch":
        args.jobs = list(dict.fromkeys(args.jobs))
    temp = None
    if args.work is None and args.suite != "seed":
        temp = args.work = Path(tempfile.mkdtemp(prefix="bgremove-file-bench-"))
    try:
        {"profile": profile, "compare": compare, "batch": batch, "seed": seed}[args.suite](args)
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("GLOG_minloglevel", "2")
    sys.exit(main())
