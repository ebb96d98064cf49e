"""The CI soak: 3 minutes of the filter on a looping 720p30 real clip in real OBS (720p, 10 fps).

``make soak`` runs the same soak for 30 minutes (``bench/soak.py``); see ``soak.py`` for what is
sampled and how growth is judged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rig import SCRIPT
from soak import FPS, HEIGHT, WIDTH, run_soak, soak_clip

CI_SOAK_SECONDS = 180


@pytest.mark.slow
def test_three_minute_soak(obs_factory, lucia_clip: Path, tmp_path: Path) -> None:
    clip = soak_clip(lucia_clip, tmp_path)
    obs = obs_factory("soak", scripts=[SCRIPT], fps=FPS, width=WIDTH, height=HEIGHT)
    report = run_soak(obs, clip, CI_SOAK_SECONDS)
    print(report.table())
    print(report.summary())
    assert not report.problems(), "; ".join(report.problems())
