"""Mask quality on the shared data: IoU, boundary F-score and flicker, raw vs refined vs follow.

    python bench/quality.py [--data ../shared/data]

Prints the Markdown tables of docs/QUALITY.md: raw vs refined for both models (people, lucia),
then raw vs today's refinement vs following the person, with the true-box oracle beside it
(lucia, hike, breakdance-flare, people); same as ``bgremove bench quality``.
"""

from __future__ import annotations

import sys

from bgremove_core.cli import bench

if __name__ == "__main__":
    sys.exit(bench.main(["quality", *sys.argv[1:]]))
