"""Speed of the pipeline without I/O, per stage, side by side with a seed-style baseline.

    python bench/pipeline_bench.py [--sizes 720p 1080p] [--models landscape general] [--frames N]

Prints a Markdown table (the one in docs/PERFORMANCE.md); same as ``bgremove bench speed``.
"""

from __future__ import annotations

import sys

from bgremove_core.cli import bench

if __name__ == "__main__":
    sys.exit(bench.main(["speed", *sys.argv[1:]]))
