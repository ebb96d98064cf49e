"""File jobs pipelined on threads: errors and cancels stop every thread, items keep their order."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from bgremove_core.cli.render import summary
from bgremove_core.filejob import Cancelled, core_stages, plan_file, run_plan
from bgremove_core.filejob.flow import Step, run_chain
from bgremove_core.media.video import probe_video
from bgremove_core.settings import Settings


def _bgremove_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bgremove-")]


def test_an_error_in_a_stage_stops_the_chain_and_is_raised() -> None:
    seen: list[int] = []

    def fail_at_five(i: int) -> int:
        if i == 5:
            raise ValueError("stage failed at 5")
        return i

    with pytest.raises(ValueError, match="stage failed at 5"):
        run_chain(iter(range(10_000)), [Step("check", fail_at_five), Step("sink", seen.append)])
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
        run_chain(endless(), [Step("sink", sink)], cancel=cancel)
    assert started.is_set()
    assert _bgremove_threads() == []


def test_finish_runs_once_after_the_last_item_in_order() -> None:
    events: list[object] = []
    run_chain(range(3), [Step("a", lambda i: i * 10), Step("b", events.append, lambda: events.append("end"))])
    assert events == [0, 10, 20, "end"]


def _lucia(shared_data: Path, target: Path, frames: int, scale: str, *codec: str) -> Path:
    """The first ``frames`` of the shared lucia clip through ``scale``, as H.264 with ``codec``."""
    clip = shared_data / "clips" / "lucia.mp4"
    command = ["ffmpeg", "-v", "error", "-i", str(clip), "-frames:v", str(frames), "-vf", scale]
    subprocess.run([*command, "-c:v", "libx264", *codec, str(target)], check=True)
    return target


@pytest.mark.parametrize(
    ("suffix", "background", "written"), [(".mp4", "blur", (320, 240)), (".mov", "transparent", (321, 241))]
)
def test_the_summary_says_the_size_that_was_written(
    tmp_path: Path, shared_data: Path, suffix: str, background: str, written: tuple[int, int]
) -> None:
    """H.264 (4:2:0) drops an odd frame's last row and column, ProRes 4444 keeps them: the summary
    and the file agree either way."""
    source = _lucia(shared_data, tmp_path / "odd.mp4", 6, "scale=321:241", "-pix_fmt", "yuv444p")
    output = tmp_path / f"out{suffix}"
    alpha = background == "transparent"
    plan = plan_file(source, output, alpha=alpha)
    with core_stages(Settings(background=background)) as stages:
        stats = run_plan(plan, stages)
    info = probe_video(output)
    assert (info.width, info.height) == written
    assert f"6 frames of {written[0]}x{written[1]} " in summary(plan, stats)


@pytest.mark.parametrize("matrix", ["bt709", "smpte170m"])
def test_a_replacement_colour_is_shown_as_chosen_whatever_matrix_the_video_is_labelled_with(
    tmp_path: Path, shared_data: Path, matrix: str
) -> None:
    """The output keeps the input's colour label; the new background must look right under it."""
    scale = f"scale=out_color_matrix={matrix.replace('smpte170m', 'bt601')}:out_range=tv"
    label = ["-colorspace", matrix, "-color_primaries", matrix, "-color_trc", matrix, "-color_range", "tv"]
    source = _lucia(shared_data, tmp_path / f"{matrix}.mp4", 3, scale, "-pix_fmt", "yuv420p", *label)
    output = tmp_path / "out.mp4"
    with core_stages(Settings(background="colour", colour="#3060C0", light_wrap=0.0)) as stages:
        run_plan(plan_file(source, output, alpha=False), stages)
    decoded = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(output),
            "-frames:v",
            "1",
            "-vf",
            f"scale=in_color_matrix={matrix.replace('smpte170m', 'bt601')}:in_range=tv",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    rgb = np.frombuffer(decoded, np.uint8).reshape(-1, 3)
    shown = np.median(rgb, axis=0)
    assert np.abs(shown - (0x30, 0x60, 0xC0)).max() <= 2, shown
