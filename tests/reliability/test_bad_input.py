"""Bad input (issue 5, item 4): each case is refused with exit 2 and its own sentence, nothing written.

These extend tests/cli/test_errors.py (which covers the plain input/output refusals) to broken
background files, inputs whose content does not match their name, settings that are not
numbers, broken models, and outputs that would replace a file the settings read. Each row is
(id, arguments, words the error must contain); ``{m}`` is the media folder, ``{out}`` an empty
folder the run may write to, ``{person}`` a photo and ``{clip}`` a one-second video with sound.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reltools import Media, assert_refused, leftovers, snapshot

IMAGE_BG = ("process", "{person}", "{out}/o.png", "--background", "image", "--image")
VIDEO_BG = ("process", "{clip}", "{out}/o.mp4", "--background", "video", "--video")
ON_PERSON = ("process", "{person}", "{out}/o.png")
ON_CLIP = ("process", "{clip}", "{out}/o.mp4")

CASES: list[tuple[str, tuple[str, ...], str]] = [
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
    ("input-image-empty", ("process", "{m}/zero.png", "{out}/o.png"), "is empty (0 bytes)"),
    ("input-image-truncated", ("process", "{m}/trunc.jpg", "{out}/o.png"), "is not an image OpenCV"),
    ("input-image-named-mp4", ("process", "{m}/still.mp4", "{out}/o.mp4"), "is a still image, not a video"),
    ("input-video-named-png", ("process", "{m}/video.png", "{out}/o.png"), "is not an image OpenCV"),
    ("input-only-audio", ("process", "{m}/audio_only.mp4", "{out}/o.mp4"), "no video stream (only audio)"),
    ("input-no-streams", ("process", "{m}/noframes.mp4", "{out}/o.mp4"), "has no video stream"),
    ("input-audio-suffix", ("process", "{m}/song.m4a", "{out}/o.mp4"), "unsupported file type '.m4a'"),
    ("output-folder-is-a-file", ("process", "{clip}", "{m}/text.png/o.mp4"), "is a file, not a folder"),
    (
        "output-onto-bg-video",
        (
            "process",
            "{clip}",
            "{m}/half.mp4",
            "--background",
            "video",
            "--video",
            "{m}/half.mp4",
            "--overwrite",
        ),
        "is also a file this run reads",
    ),
    (
        "output-onto-model",
        ("process", "{person}", "{m}/rand.tflite", "--model-path", "{m}/rand.tflite", "--overwrite"),
        "is also a file this run reads",
    ),
    (
        "preview-onto-bg-image",
        (
            "preview",
            "{person}",
            "{m}/grey.png",
            "--background",
            "image",
            "--image",
            "{m}/grey.png",
            "--overwrite",
        ),
        "is also a file this run reads",
    ),
    ("threshold-nan", (*ON_CLIP, "--threshold", "nan"), "must be a finite number"),
    ("smoothing-inf", (*ON_CLIP, "--smoothing", "inf"), "must be a finite number"),
    ("feather-negative", (*ON_CLIP, "--feather", "-1"), "must be between 0 and 30"),
    ("blur-strength-too-high", (*ON_CLIP, "--blur-strength", "1000"), "must be between 1 and 100"),
    ("start-nan", (*ON_CLIP, "--start", "nan"), "must be positive numbers of seconds"),
    ("end-nan", (*ON_CLIP, "--end", "nan"), "must be positive numbers of seconds"),
    ("preview-at-nan", ("preview", "{clip}", "{out}/p.png", "--at", "nan"), "is outside"),
    ("demo-seconds-nan", ("demo", "--out", "{out}/demo", "--seconds", "nan"), "must be between 0.5 and 30"),
    ("model-missing", (*ON_PERSON, "--model-path", "{m}/nope.tflite"), "does not exist"),
    ("model-empty", (*ON_PERSON, "--model-path", "{m}/zero.tflite"), "is empty"),
    ("model-random-bytes", (*ON_PERSON, "--model-path", "{m}/rand.tflite"), "could not load the model"),
    ("model-is-a-photo", (*ON_PERSON, "--model-path", "{person}"), "could not load the model"),
]


@pytest.mark.parametrize(("args", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_a_sentence_and_nothing_written(
    cli, media: Media, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    names = {"m": media.folder, "out": tmp_path, "person": media.person, "clip": media.clip}
    media_before = snapshot(media.folder)
    run = cli(*(a.format(**names) for a in args))
    assert_refused(run, words)
    assert run.err.count("\n") == 1, run.err
    assert list(tmp_path.iterdir()) == [], "a refused run may not write anything"
    assert snapshot(media.folder) == media_before, "a refused run may not touch its inputs"
    assert leftovers(media.folder) == []
