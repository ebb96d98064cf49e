"""The short soak: 3 minutes of the filter on a looping 720p30 real clip in real OBS (720p, 10 fps).

Marked ``soak`` and left out of ``make test`` (the add/remove and reload churn tests already
watch memory and leaks there); ``make soak`` runs it and then the 30-minute soak
(``python -m bench.soak``). See :mod:`tests.support.soak` for what is sampled and how growth is
judged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import SCRIPT
from tests.support.soak import FPS, HEIGHT, WIDTH, run_soak, soak_clip

CI_SOAK_SECONDS = 180


@pytest.mark.soak
def test_three_minute_soak(obs_factory, lucia_clip: Path, tmp_path: Path) -> None:
    clip = soak_clip(lucia_clip, tmp_path)
    obs = obs_factory("soak", scripts=[SCRIPT], fps=FPS, width=WIDTH, height=HEIGHT)
    report = run_soak(obs, clip, CI_SOAK_SECONDS)
    print(report.table())
    print(report.summary())
    assert not report.problems(), "; ".join(report.problems())
