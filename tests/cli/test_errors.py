"""Every refusal of bad input: one sentence on stderr, exit code 2, nothing written, inputs untouched.

One table: (id, arguments, words the sentence must contain). ``{m}`` is the folder of broken and
good files made once (the ``broken`` fixture, never written: a refused run may not touch it),
``{out}`` an empty folder the run may write to (it must stay empty), ``{person}`` a real photo and
``{clip}`` a real clip with sound, both in ``{m}``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.clirun import assert_refused, leftovers, snapshot

IMAGE_BG = ("process", "{person}", "{out}/o.png", "--background", "image", "--image")
VIDEO_BG = ("process", "{clip}", "{out}/o.mp4", "--background", "video", "--video")
ON_PERSON = ("process", "{person}", "{out}/o.png")
ON_CLIP = ("process", "{clip}", "{out}/o.mp4")
ONTO_ITSELF = "is also a file this run reads"

CASES: list[tuple[str, tuple[str, ...], str]] = [
    # the input
    ("input-missing", ("process", "{out}/nope.mp4", "{out}/o.mp4"), "does not exist"),
    ("input-video-empty", ("process", "{m}/zero.mp4", "{out}/o.mp4"), "is empty"),
    ("input-video-corrupt", ("process", "{m}/broken.mp4", "{out}/o.mp4"), "could not be decoded"),
    ("input-image-empty", ("process", "{m}/zero.png", "{out}/o.png"), "is empty (0 bytes)"),
    ("input-image-truncated", ("process", "{m}/trunc.jpg", "{out}/o.png"), "is not an image OpenCV"),
    ("input-text-named-png", ("process", "{m}/text.png", "{out}/o.png"), "is not an image"),
    ("input-image-named-mp4", ("process", "{m}/still.mp4", "{out}/o.mp4"), "is a still image, not a video"),
    ("input-video-named-png", ("process", "{m}/video.png", "{out}/o.png"), "is not an image OpenCV"),
    ("input-only-audio", ("process", "{m}/audio_only.mp4", "{out}/o.mp4"), "no video stream (only audio)"),
    ("input-no-streams", ("process", "{m}/noframes.mp4", "{out}/o.mp4"), "has no video stream"),
    ("input-text-file", ("process", "{m}/notes.txt", "{out}/o.mp4"), "unsupported file type"),
    ("input-audio-suffix", ("process", "{m}/song.m4a", "{out}/o.mp4"), "unsupported file type '.m4a'"),
    # the output
    ("output-unsupported-suffix", ("process", "{clip}", "{out}/o.xyz"), "unsupported video type"),
    ("output-folder-missing", ("process", "{clip}", "{out}/no-such-folder/o.mp4"), "create it first"),
    ("output-folder-is-a-file", ("process", "{clip}", "{m}/text.png/o.mp4"), "is a file, not a folder"),
    ("output-alpha-in-mp4", (*ON_CLIP, "--background", "transparent"), "Write a .webm"),
    (
        "output-alpha-in-jpeg",
        ("process", "{person}", "{out}/o.jpg", "--background", "transparent"),
        "Write a .png",
    ),
    ("output-onto-input", ("process", "{clip}", "{clip}", "--overwrite"), ONTO_ITSELF),
    ("output-onto-input-relative", ("process", "{clip}", "{m}/sub/../clip.mp4", "--overwrite"), ONTO_ITSELF),
    ("output-onto-input-symlink", ("process", "{clip}", "{m}/link.mp4", "--overwrite"), ONTO_ITSELF),
    (
        "output-onto-bg-image",
        (*ON_PERSON[:2], "{m}/bg.png", *IMAGE_BG[3:], "{m}/bg.png", "--overwrite"),
        ONTO_ITSELF,
    ),
    (
        "output-onto-bg-video",
        (*ON_CLIP[:2], "{m}/bg.mp4", *VIDEO_BG[3:], "{m}/bg.mp4", "--overwrite"),
        ONTO_ITSELF,
    ),
    (
        "output-onto-model",
        ("process", "{person}", "{m}/rand.tflite", "--model-path", "{m}/rand.tflite", "--overwrite"),
        ONTO_ITSELF,
    ),
    (
        "preview-onto-bg-image",
        (
            "preview",
            "{person}",
            "{m}/bg.png",
            "--background",
            "image",
            "--image",
            "{m}/bg.png",
            "--overwrite",
        ),
        ONTO_ITSELF,
    ),
    ("preview-not-png", ("preview", "{clip}", "{out}/o.jpg"), "must be a .png"),
    # the background
    ("bg-image-missing", (*IMAGE_BG, "{out}/nope.jpg"), "does not exist"),
    ("bg-image-not-chosen", (*ON_CLIP, "--background", "image"), "no background image"),
    ("bg-image-empty", (*IMAGE_BG, "{m}/zero.png"), "is empty (0 bytes)"),
    ("bg-image-truncated", (*IMAGE_BG, "{m}/trunc.jpg"), "is not an image OpenCV can read"),
    ("bg-image-text-named-png", (*IMAGE_BG, "{m}/text.png"), "is not an image OpenCV can read"),
    ("bg-image-is-a-folder", (*IMAGE_BG, "{m}"), "is not a file"),
    ("bg-video-missing", (*VIDEO_BG, "{m}/nope.mp4"), "does not exist"),
    ("bg-video-empty", (*VIDEO_BG, "{m}/zero.mp4"), "is empty (0 bytes)"),
    ("bg-video-text", (*VIDEO_BG, "{m}/text.png"), "could not be read as a video"),
    ("bg-video-zero-frames", (*VIDEO_BG, "{m}/noframes.mp4"), "could not be read as a video"),
    ("bg-video-only-audio", (*VIDEO_BG, "{m}/audio_only.mp4"), "could not be read as a video"),
    ("bg-video-not-chosen", (*ON_CLIP, "--background", "video"), "no background video file"),
    ("bg-colour-by-name", (*ON_CLIP, "--background", "colour", "--colour", "green"), "like #00B140"),
    # settings
    ("threshold-out-of-range", (*ON_CLIP, "--threshold", "1.5"), "must be between 0.05 and 0.95"),
    ("threshold-nan", (*ON_CLIP, "--threshold", "nan"), "must be a finite number"),
    ("smoothing-inf", (*ON_CLIP, "--smoothing", "inf"), "must be a finite number"),
    ("feather-negative", (*ON_CLIP, "--feather", "-1"), "must be between 0 and 30"),
    ("blur-strength-too-high", (*ON_CLIP, "--blur-strength", "1000"), "must be between 1 and 100"),
    ("crf-out-of-range", (*ON_CLIP, "--crf", "60"), "must be 0 to 51"),
    ("start-after-end", (*ON_CLIP, "--start", "60"), "is not before the end"),
    ("end-before-start", (*ON_CLIP, "--start", "2", "--end", "1"), "must be after --start"),
    ("start-nan", (*ON_CLIP, "--start", "nan"), "must be positive numbers of seconds"),
    ("end-nan", (*ON_CLIP, "--end", "nan"), "must be positive numbers of seconds"),
    ("trim-an-image", (*ON_PERSON, "--start", "1"), "apply to videos only"),
    ("preview-outside-video", ("preview", "{clip}", "{out}/p.png", "--at", "99"), "is outside"),
    ("preview-at-nan", ("preview", "{clip}", "{out}/p.png", "--at", "nan"), "is outside"),
    ("demo-seconds-nan", ("demo", "--out", "{out}/demo", "--seconds", "nan"), "must be between 0.5 and 30"),
    # the model
    ("model-missing", (*ON_PERSON, "--model-path", "{m}/nope.tflite"), "does not exist"),
    ("model-empty", (*ON_PERSON, "--model-path", "{m}/zero.tflite"), "is empty"),
    ("model-random-bytes", (*ON_PERSON, "--model-path", "{m}/rand.tflite"), "could not load the model"),
    ("model-is-a-photo", (*ON_PERSON, "--model-path", "{person}"), "could not load the model"),
]


@pytest.mark.parametrize(("args", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_one_sentence_and_nothing_written(
    cli, broken: Path, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    names = {"m": broken, "out": tmp_path, "person": broken / "person.jpg", "clip": broken / "clip.mp4"}
    before = snapshot(broken)
    run = cli(*(a.format(**names) for a in args))
    assert_refused(run, words)
    assert run.err.count("\n") == 1, run.err
    assert list(tmp_path.iterdir()) == [], "a refused run may not write anything"
    assert snapshot(broken) == before, "a refused run may not touch its inputs"
    assert leftovers(broken) == []


def test_existing_output_is_kept_without_overwrite(cli, clip: Path) -> None:
    out = clip.with_name("out.mp4")
    out.write_bytes(b"keep me")
    run = cli("process", clip, out)
    assert run.code == 2
    assert "already exists; pass --overwrite" in run.err
    assert out.read_bytes() == b"keep me"


def test_bad_option_value_is_a_usage_error(cli, clip: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("process", clip, clip.with_name("out.mp4"), "--threshold", "high")
    assert exit_info.value.code == 2
