"""``bgremove batch`` end to end on real clips and photos: bad inputs, resuming, Ctrl-C."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from clitools import CLIP_FRAMES, streams

from bgremove_core.media.formats import output_suffix
from tests.support.clirun import leftovers, run_cli
from tests.support.procs import wait_until

PHOTOS = ("105", "113")


def _mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def folder(tmp_path: Path, media: Path, shared_data: Path) -> Path:
    """Two photos, a clip with sound in a subfolder, a truncated video and a text file."""
    inputs = tmp_path / "in"
    (inputs / "talks").mkdir(parents=True)
    for name in PHOTOS:
        shutil.copy(shared_data / "people" / "images" / f"{name}.jpg", inputs / f"{name}.jpg")
    shutil.copy(media / "clip.mp4", inputs / "talks" / "clip.mp4")
    data = (media / "clip.mp4").read_bytes()
    (inputs / "broken.mp4").write_bytes(data[: len(data) // 2])
    (inputs / "notes.txt").write_text("not media")
    return inputs


def test_good_inputs_are_written_and_the_bad_one_is_named(cli, folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli("batch", folder, "--out", out, "--recursive")
    assert run.code == 1, run.err
    assert sorted(_mtimes(out)) == ["105.jpg", "113.jpg", "talks/clip.mp4"]
    (video,) = streams(out / "talks" / "clip.mp4", "video")
    assert int(video["nb_frames"]) == CLIP_FRAMES
    assert len(streams(out / "talks" / "clip.mp4", "audio")) == 1
    assert "broken.mp4" in run.err and "could not be decoded" in run.err
    assert "notes.txt" not in run.err + run.out
    assert "Failed: " + str(folder / "broken.mp4") in run.out
    assert "3 written, 0 skipped, 1 failed" in run.out
    assert leftovers(out) == [] and leftovers(out / "talks") == []

    before = _mtimes(out)
    # What a SIGKILLed `--overwrite` run of a finished output leaves: its temporary file, unclaimed.
    (out / ".105.0123abcd.partial.jpg").write_bytes(b"half a picture")
    again = cli("batch", folder, "--out", out, "--recursive")
    assert again.code == 1
    assert "0 written, 3 skipped, 1 failed" in again.out
    assert _mtimes(out) == before, "a re-run must not rewrite finished outputs, and clears dead runs' files"


def test_without_recursive_subfolders_are_left_alone(cli, folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = cli("batch", folder / "105.jpg", folder / "113.jpg", "--out", out, "--background", "transparent")
    assert run.code == 0, run.err
    assert sorted(_mtimes(out)) == ["105.png", "113.png"]


@pytest.mark.parametrize(
    ("name", "alpha", "suffix"),
    [
        ("a.mp4", False, ".mp4"),
        ("a.avi", False, ".mp4"),
        ("a.mp4", True, ".webm"),
        ("a.mov", True, ".mov"),
        ("a.jpg", False, ".jpg"),
        ("a.jpg", True, ".png"),
        ("a.webp", True, ".webp"),
    ],
)
def test_outputs_get_a_container_that_holds_the_result(name: str, alpha: bool, suffix: str) -> None:
    assert output_suffix(Path(name), alpha=alpha) == suffix


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--jobs", "0"), "--jobs must be at least 1"),
        (("--out", "{file}"), "is a file"),
    ],
)
def test_usage_errors_exit_2(cli, folder: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    a_file = folder / "105.jpg"
    argv = [str(a).format(file=a_file) for a in args]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    run = cli("batch", folder, *argv)
    assert run.code == 2
    assert message in run.error_line


def test_a_folder_without_media_is_a_usage_error(cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run = cli("batch", empty, "--out", tmp_path / "out")
    assert run.code == 2
    assert "No videos or images were found" in run.error_line


def test_a_broken_video_is_our_sentence_alone_on_stderr(folder: Path, tmp_path: Path) -> None:
    """A child process, so FFmpeg's own log lines (OpenCV's decoder writes "moov atom not found"
    straight to the process's stderr, past Python) would be seen here."""
    run = run_cli(["batch", folder / "broken.mp4", "--out", tmp_path / "out"])
    assert run.code == 1
    assert run.err.startswith("bgremove: error: ") and "could not be decoded" in run.err, run.err
    assert run.err.count("\n") == 1, run.err


@pytest.mark.slow
def test_ctrl_c_leaves_no_partial_output_and_a_rerun_finishes(tmp_path: Path, media: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    for name in ("a", "b", "c"):
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-stream_loop", "2", "-i", str(media / "clip.mp4")),
                *("-c", "copy", str(inputs / f"{name}.mp4")),
            ],
            check=True,
        )
    argv = [sys.executable, "-m", "bgremove_core.cli", "batch", str(inputs), "--out", str(out), "--jobs", "1"]
    proc = subprocess.Popen([*argv, "--quiet"], stderr=subprocess.PIPE, text=True)
    wait_until(
        lambda: (out.is_dir() and leftovers(out)) or proc.poll() is not None,
        what="the first file being written",
    )
    assert out.is_dir() and leftovers(out), "the batch ended before writing its first file"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert leftovers(out) == []
    finished = _mtimes(out)
    assert len(finished) < 3, "the interrupt should have come before the last file"
    for name in finished:
        assert int(streams(out / name, "video")[0]["nb_frames"]) == 3 * CLIP_FRAMES

    rerun = run_cli(["batch", inputs, "--out", out, "--jobs", "1"])
    assert rerun.code == 0, rerun.err
    assert f"{len(finished)} skipped" in rerun.out
    assert sorted(_mtimes(out)) == ["a.mp4", "b.mp4", "c.mp4"]
    assert {name: _mtimes(out)[name] for name in finished} == finished
    assert leftovers(out) == []
