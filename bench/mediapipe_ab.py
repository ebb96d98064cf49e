"""Two MediaPipe versions side by side: `bgremove bench speed` in two venvs, interleaved rounds.

Why: the dependency choice (mediapipe 1.x on every Python, or 0.10.21 where it exists) is a
trade of install paths against per-frame cost, and the cost has to be measured on one machine in
one run, so that drift hits both alike. Each round runs the same checkout's benchmark once in each
interpreter (this checkout on PYTHONPATH, so only the installed packages differ), alternating
which goes first; the table gives the median over rounds of each row's figures and the ratio.

    python bench/mediapipe_ab.py --python A=venv-a/bin/python --python B=venv-b/bin/python \\
        [--rounds 3] [--frames 140] [--sizes 720p] [--models landscape general]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: Columns of `bgremove bench speed`'s table that are compared (ms: lower is better).
COLUMNS = ("segment ms", "refine ms", "compose ms", "ours fps", "baseline fps")


def run_bench(python: str, args: list[str]) -> dict[tuple[str, str], dict[str, float]]:
    """(size, model) -> column -> value, from one `bgremove bench speed` run in ``python``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [python, "-m", "bgremove_core.cli", "bench", "speed", *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    rows = [line.strip("|").split("|") for line in out.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in rows[0]]
    table = {}
    for row in rows[1:]:
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        table[cells["size"], cells["model"]] = {c: float(cells[c]) for c in COLUMNS}
    return table


def version_of(python: str) -> str:
    code = "import sys, mediapipe as m; print(f'Python {sys.version.split()[0]}, mediapipe {m.__version__}')"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", action="append", required=True, metavar="LABEL=PATH", help="Give exactly two.")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--frames", type=int, default=140)
    p.add_argument("--sizes", nargs="+", default=["720p"])
    p.add_argument("--models", nargs="+", default=["landscape", "general"])
    args = p.parse_args(argv)
    if len(args.python) != 2 or not all("=" in item for item in args.python):
        p.error("give --python LABEL=PATH exactly twice")
    pythons = dict(item.split("=", 1) for item in args.python)
    bench_args = ["--frames", str(args.frames), "--sizes", *args.sizes, "--models", *args.models]
    runs: dict[str, list[dict]] = {label: [] for label in pythons}
    for round_ in range(args.rounds):
        order = list(pythons) if round_ % 2 == 0 else list(reversed(pythons))
        for label in order:
            runs[label].append(run_bench(pythons[label], bench_args))
    a, b = pythons
    print(f"{args.rounds} interleaved rounds of `bgremove bench speed {' '.join(bench_args)}`; medians.")
    for label, python in pythons.items():
        print(f"- {label}: {version_of(python)}")
    print()
    print(f"| size | model | figure | {a} | {b} | {b} / {a} |")
    print("|---|---|---|---:|---:|---:|")
    for key in runs[a][0]:
        for column in COLUMNS:
            va = statistics.median(r[key][column] for r in runs[a])
            vb = statistics.median(r[key][column] for r in runs[b])
            print(f"| {key[0]} | {key[1]} | {column} | {va:.2f} | {vb:.2f} | {vb / va:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
