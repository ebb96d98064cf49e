"""Mask quality on the shared data: IoU, boundary F-score and flicker, raw vs refined vs follow.

    python -m bench.quality [--data ../shared/data]

Prints the Markdown tables of docs/QUALITY.md: raw vs refined for both models (people, lucia),
then raw vs today's refinement vs following the person, with the true-box oracle beside it
(lucia, hike, breakdance-flare, people).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lab.data import DEFAULT_DATA
from lab.follow_quality import follow_report
from lab.quality import quality_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Development data folder.")
    args = parser.parse_args()
    print(quality_report(args.data))
    print()
    print(follow_report(args.data))


if __name__ == "__main__":
    main()
