"""``bgremove process`` end to end on real media: sound, trimming, alpha, fallbacks, interruption."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from clitools import (
    CLIP_FPS,
    CLIP_FRAMES,
    core_regions,
    decode_bgra,
    streams,
    truth_mask,
)

from tests.support.clirun import leftovers, run_cli
from tests.support.procs import HANG_SECONDS, wait_until

PEOPLE = ("105", "113", "118")
"""Photos where the person fills a good part of the picture, so both regions are large."""


def _duration(stream: dict) -> float:
    return float(stream["duration"])


def test_video_keeps_sound_and_length(cli, clip: Path, shared_data: Path) -> None:
    out = clip.with_name("out.mp4")
    run = cli("process", clip, out, "--quiet")
    assert run.code == 0, run.err
    (video,) = streams(out, "video")
    (audio,) = streams(out, "audio")
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert int(video["nb_frames"]) == CLIP_FRAMES
    # The audio track's length inside the file (media time, not wall time): one AAC frame of slack.
    assert abs(_duration(audio) - CLIP_FRAMES / CLIP_FPS) < 0.1
    assert audio["codec_name"] == "aac"
    # Blur mode: the person is kept, the background is changed.
    capture = cv2.VideoCapture(str(out))
    ok, frame = capture.read()
    capture.release()
    assert ok
    source = cv2.imread(str(shared_data / "clips" / "lucia_frames" / "00000.jpg"))
    person, background = core_regions(
        truth_mask(shared_data / "clips" / "lucia_masks" / "00000.png", frame.shape)
    )
    diff = cv2.absdiff(frame, source).mean(axis=2)
    assert diff[person].mean() < 8, "the person should come through (only encoding noise)"
    assert diff[background].mean() > 2 * diff[person].mean() + 4, "the background should be blurred"
    assert leftovers(clip.parent) == []


def _x264_crf(path: Path) -> str:
    """The quality x264 wrote into the file's own settings note (an SEI message in the stream)."""
    found = re.search(rb" crf=([0-9.]+) ", path.read_bytes())
    assert found is not None, f"{path.name} carries no x264 settings note"
    return found.group(1).decode()


def test_crf_reaches_the_encoder_and_sets_the_size(cli, clip: Path) -> None:
    sizes = {}
    for crf in ("18", "30"):
        out = clip.with_name(f"crf{crf}.mp4")
        args = ["process", clip, out, "--quiet", "--end", "1"]
        run = cli(*args) if crf == "18" else cli(*args, "--crf", crf)
        assert run.code == 0, run.err
        assert _x264_crf(out) == f"{crf}.0"
        sizes[crf] = out.stat().st_size
    assert sizes["30"] < sizes["18"] / 2, "a higher CRF should give a much smaller file"


def test_trim_keeps_the_matching_frames_and_sound(cli, clip: Path, shared_data: Path) -> None:
    out = clip.with_name("trim.mp4")
    run = cli("process", clip, out, "--start", 1, "--end", 2, "--quiet")
    assert run.code == 0, run.err
    (video,) = streams(out, "video")
    (audio,) = streams(out, "audio")
    assert int(video["nb_frames"]) == 24
    # The trimmed sound's length inside the file (media time from ffprobe, not wall time).
    assert abs(_duration(audio) - 1.0) < 0.1
    # The first written frame is source frame 24: the walking person matches it best.
    capture = cv2.VideoCapture(str(out))
    ok, first = capture.read()
    capture.release()
    assert ok
    truth = truth_mask(shared_data / "clips" / "lucia_masks" / "00024.png", first.shape)
    person, _ = core_regions(truth)
    errors = {}
    for index in range(20, 29):
        source = cv2.imread(str(shared_data / "clips" / "lucia_frames" / f"{index:05d}.jpg"))
        errors[index] = cv2.absdiff(first, source).mean(axis=2)[person].mean()
    assert min(errors, key=errors.get) == 24, errors


@pytest.mark.parametrize("name", PEOPLE)
def test_image_to_png_with_alpha(cli, tmp_path: Path, shared_data: Path, name: str) -> None:
    out = tmp_path / f"{name}.png"
    run = cli(
        "process", shared_data / "people" / "images" / f"{name}.jpg", out, "--background", "transparent"
    )
    assert run.code == 0, run.err
    image = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert image.ndim == 3 and image.shape[2] == 4
    person, background = core_regions(
        truth_mask(shared_data / "people" / "masks" / f"{name}.png", image.shape)
    )
    alpha = image[..., 3].astype(np.float32)
    assert alpha[person].mean() > 200
    assert alpha[background].mean() < 40


@pytest.mark.parametrize(
    ("suffix", "codec", "vp9_alpha"), [(".webm", "vp9", True), (".mov", "prores", False)]
)
def test_transparent_video_keeps_alpha(
    cli, clip: Path, shared_data: Path, suffix: str, codec: str, vp9_alpha: bool
) -> None:
    out = clip.with_name("cutout" + suffix)
    run = cli("process", clip, out, "--background", "transparent", "--end", 0.5, "--quiet")
    assert run.code == 0, run.err
    (video,) = streams(out, "video")
    assert video["codec_name"] == codec
    assert len(streams(out, "audio")) == 1
    frames = decode_bgra(out, vp9_alpha=vp9_alpha)
    assert len(frames) == 12
    person, background = core_regions(
        truth_mask(shared_data / "clips" / "lucia_masks" / "00000.png", frames[0].shape)
    )
    alpha = frames[0][..., 3].astype(np.float32)
    assert alpha[person].mean() > 200
    assert alpha[background].mean() < 30


def test_without_ffmpeg_on_path_the_packaged_one_keeps_sound(clip: Path) -> None:
    """A Windows or macOS user with no ffmpeg installed: imageio-ffmpeg's build does the work."""
    out = clip.with_name("packaged.mp4")
    run = run_cli(["process", clip, out, "--quiet"], env={**os.environ, "PATH": str(clip.parent / "empty")})
    assert run.code == 0, run.err
    assert "No ffmpeg was found" not in run.err
    (video,) = streams(out, "video")
    assert video["codec_name"] == "h264"
    assert len(streams(out, "audio")) == 1


NO_PACKAGED_FFMPEG = (
    "import sys; sys.modules['imageio_ffmpeg'] = None; from bgremove_core.cli.main import main; "
)
"""Runs the CLI as if imageio-ffmpeg were not installed (its import fails)."""


def run_without_any_ffmpeg(args: list[object], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", NO_PACKAGED_FFMPEG + "sys.exit(main())", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_without_any_ffmpeg_falls_back_to_opencv_with_a_warning(clip: Path) -> None:
    out = clip.with_name("plain.mp4")
    env = {**os.environ, "PATH": str(clip.parent / "empty-path")}
    run = run_without_any_ffmpeg(["process", clip, out, "--quiet"], env=env)
    assert run.returncode == 0, run.stderr
    assert "No ffmpeg was found" in run.stderr and "without sound" in run.stderr
    assert streams(out, "audio") == []
    capture = cv2.VideoCapture(str(out))
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == CLIP_FRAMES
    capture.release()

    refused = run_without_any_ffmpeg(
        ["process", clip, clip.with_name("alpha.webm"), "--background", "transparent"], env=env
    )
    assert refused.returncode == 2
    assert "needs ffmpeg" in refused.stderr
    assert not clip.with_name("alpha.webm").exists()


LONG_LOOPS = 40
"""The Ctrl-C input: the clip 41 times (about 2,900 frames, minutes of work), so the run is
still encoding when it is interrupted, however fast or loaded the machine is."""


def _frames_written(folder: Path) -> bool:
    """The run's temporary output exists and holds encoded data: frames are being written."""
    return any(".partial" in p.name and p.stat().st_size > 0 for p in folder.iterdir())


@pytest.fixture
def long_clip(tmp_path: Path, media: Path) -> Path:
    """The clip with sound, :data:`LONG_LOOPS` more times, in the test's folder."""
    path = tmp_path / "long.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-stream_loop", str(LONG_LOOPS), "-i", str(media / "clip.mp4"),
         "-c", "copy", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.mark.slow
def test_ctrl_c_leaves_the_previous_output_untouched(tmp_path: Path, long_clip: Path) -> None:
    out = tmp_path / "out.mp4"
    out.write_bytes(b"a good file from an earlier run")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bgremove_core.cli", "process", long_clip, out, "--overwrite", "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: _frames_written(tmp_path) or proc.poll() is not None, what="the run writing frames"
        )
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=HANG_SECONDS)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert out.read_bytes() == b"a good file from an earlier run"
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_killed_run_leaves_nothing_once_the_next_run_is_done(tmp_path: Path, long_clip: Path) -> None:
    out = tmp_path / "out.mp4"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bgremove_core.cli", "process", long_clip, out, "--quiet"],
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its ffmpeg children too
    )
    try:
        wait_until(
            lambda: _frames_written(tmp_path) or proc.poll() is not None, what="the run writing frames"
        )
        assert proc.poll() is None, "the run ended before it could be killed"
        (partial,) = (tmp_path / name for name in leftovers(tmp_path))
        size = partial.stat().st_size
        wait_until(lambda: partial.stat().st_size > size or proc.poll() is not None, what="the file growing")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=HANG_SECONDS)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert leftovers(tmp_path) == [partial.name], "no clean-up runs on SIGKILL: the crash left its file"
    assert not out.exists()

    rerun = run_cli(["process", long_clip, out, "--end", 1, "--quiet"])
    assert rerun.code == 0, rerun.err
    assert int(streams(out, "video")[0]["nb_frames"]) == round(CLIP_FPS)
    assert leftovers(tmp_path) == []


PLAYER_CONVERSION = ("-sws_flags", "bicubic+accurate_rnd+full_chroma_int")
"""ffmpeg's most accurate conversion to BGR, which honours the file's colour labels as players do."""


def _shown(path: Path) -> np.ndarray:
    """The first frame of ``path`` as a player shows it."""
    command = ["ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", *PLAYER_CONVERSION]
    command += ["-f", "rawvideo", "-pix_fmt", "bgr24", "-"]
    raw = subprocess.run(command, check=True, capture_output=True).stdout
    (video,) = streams(path, "video")
    return np.frombuffer(raw, np.uint8).reshape(video["height"], video["width"], 3).astype(np.int16)


def test_kept_pixels_look_the_same_when_the_input_is_labelled_bt709(
    cli, tmp_path: Path, shared_data: Path
) -> None:
    source = tmp_path / "bt709.mp4"  # an SD clip labelled BT.709: unlabelled, players would guess BT.601
    labels = ("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709")
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-i", shared_data / "clips" / "lucia.mp4", "-frames:v", "6"),
            *("-c:v", "libx264", "-crf", "12", *labels, source),
        ],
        check=True,
    )
    out = tmp_path / "out.mp4"
    run = cli("process", source, out, "--quiet")
    assert run.code == 0, run.err
    (video,) = streams(out, "video")
    assert (video["color_space"], video["color_primaries"], video["color_transfer"]) == ("bt709",) * 3
    assert video["color_range"] == "tv"
    before, after = _shown(source), _shown(out)
    person, _ = core_regions(truth_mask(shared_data / "clips" / "lucia_masks" / "00000.png", before.shape))
    shift = (after - before)[person].mean(axis=0)
    # Encoding noise averages out over the person; read with the wrong matrix, greens move ~1.7 levels.
    assert np.abs(shift).max() < 0.6, f"mean colour shift of the kept person (B, G, R): {shift}"


def test_video_without_sound_stays_silent(cli, tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "silent.webm"
    run = cli("process", shared_data / "clips" / "lucia.mp4", out, "--end", 0.5, "--background", "colour")
    assert run.code == 0, run.err
    assert streams(out, "audio") == []
    (video,) = streams(out, "video")
    assert video["codec_name"] == "vp9"
    assert "Wrote" in run.out and "12 frames of 854x480" in run.out


def _sound_md5(path: Path) -> str:
    """A checksum of the first sound track's packets as stored (no decoding)."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.mark.parametrize(
    ("suffix", "extra", "copied", "codec"),
    [
        (".mp4", (), True, "aac"),
        (".mkv", (), True, "aac"),
        (".mp4", ("--end", 2), False, "aac"),
        (".webm", ("--end", 1), False, "opus"),
    ],
    ids=["whole file to mp4", "whole file to mkv", "subclip", "codec the container refuses"],
)
def test_sound_is_copied_only_when_it_can_be(
    cli, clip: Path, suffix: str, extra: tuple[object, ...], copied: bool, codec: str
) -> None:
    out = clip.with_name(f"out{suffix}")
    run = cli("process", clip, out, "--quiet", "--background", "colour", *extra)
    assert run.code == 0, run.err
    (audio,) = streams(out, "audio")
    assert audio["codec_name"] == codec
    assert (_sound_md5(out) == _sound_md5(clip)) is copied


def test_profile_prints_the_stages_and_the_cpu_of_bgremove_and_ffmpeg(cli, clip: Path) -> None:
    run = cli("process", clip, clip.with_name("out.mp4"), "--profile", "--end", 1)
    assert run.code == 0, run.err
    for stage in ("decode", "segment", "refine+compose", "encode"):
        assert f"| {stage} | 24 |" in run.out
    cpu = re.search(r"bgremove ([0-9.]+) s .*ffmpeg ([0-9.]+) s", run.out)
    assert cpu is not None, run.out
    assert float(cpu.group(1)) > 0 and float(cpu.group(2)) > 0, "both sides did work"
