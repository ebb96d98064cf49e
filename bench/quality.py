"""Mask quality on the shared data: IoU, boundary F-score and flicker, raw vs refined, both models.

    python bench/quality.py [--data ../shared/data]

Prints a Markdown table (the one in docs/QUALITY.md); same as ``bgremove bench quality``.
"""

from __future__ import annotations

import sys

from bgremove_core.cli import bench

if __name__ == "__main__":
    sys.exit(bench.main(["quality", *sys.argv[1:]]))
