"""File jobs pipelined on threads: the same frames as the sequential processor, clean stops."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from bgremove_core import benchmark
from bgremove_core.filejob import Cancelled, core_stages, run_frames
from bgremove_core.filejob.flow import Stage, run_chain
from bgremove_core.pipeline import Processor
from bgremove_core.settings import Settings

MODES = {
    "blur": Settings(),
    "transparent": Settings(background="transparent"),
    "colour, no smoothing": Settings(background="colour", smoothing=0.0),
}


@pytest.fixture(scope="module")
def frames(shared_data: Path) -> list[np.ndarray]:
    return benchmark.clip(shared_data)[0][:24]


@pytest.mark.parametrize("mode", MODES)
def test_pipelined_frames_equal_the_sequential_processor(frames, mode: str) -> None:
    settings = MODES[mode]
    with Processor(settings) as processor:
        expected = [processor.process(f) for f in frames]
    got: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    with core_stages(settings) as stages:
        profile = run_frames(frames, stages, lambda i, _f, r: got.__setitem__(i, (r.alpha, r.output)))
    assert sorted(got) == list(range(len(frames)))
    for i, result in enumerate(expected):
        assert np.array_equal(got[i][0], result.alpha), f"alpha of frame {i} differs"
        assert np.array_equal(got[i][1], result.output), f"output of frame {i} differs"
    assert [s.name for s in profile.stages] == ["frames", "segment", "refine+compose"]
    assert all(s.items == len(frames) for s in profile.stages)


def _bgremove_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bgremove-")]


def test_an_error_in_a_stage_stops_the_chain_and_is_raised() -> None:
    seen: list[int] = []

    def fail_at_five(i: int) -> int:
        if i == 5:
            raise ValueError("stage failed at 5")
        return i

    with pytest.raises(ValueError, match="stage failed at 5"):
        run_chain(iter(range(10_000)), [Stage("check", fail_at_five), Stage("sink", seen.append)])
    assert seen == [0, 1, 2, 3, 4]
    assert _bgremove_threads() == []


def test_cancel_stops_every_thread_and_raises_cancelled() -> None:
    cancel = threading.Event()
    started = threading.Event()

    def endless():
        i = 0
        while True:
            yield i
            i += 1

    def sink(i: int) -> None:
        started.set()
        if i == 50:
            cancel.set()

    with pytest.raises(Cancelled):
        run_chain(endless(), [Stage("sink", sink)], cancel=cancel)
    assert started.is_set()
    assert _bgremove_threads() == []


def test_finish_runs_once_after_the_last_item_in_order() -> None:
    events: list[object] = []
    run_chain(
        range(3), [Stage("a", lambda i: i * 10), Stage("b", events.append, lambda: events.append("end"))]
    )
    assert events == [0, 10, 20, "end"]
