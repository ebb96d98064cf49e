"""The format table against the real encoders: every container's fallback codec opens in this
OpenCV, every suffix bgremove offers is refused or accepted with a sentence that says what to do."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from bgremove_core.errors import MediaError, OutputError, SettingsError
from bgremove_core.media.formats import (
    H264,
    IMAGE_SUFFIXES,
    TRANSPARENT_VIDEO_SUFFIX,
    VIDEO_OUTPUTS,
    check_image_output,
    input_kind,
    output_suffix,
    video_output,
)


@pytest.mark.parametrize("suffix", sorted(VIDEO_OUTPUTS))
def test_every_containers_opencv_codec_opens_here(tmp_path: Path, suffix: str) -> None:
    """Without ffmpeg, OpenCV encodes with the row's fourcc: a codec this OpenCV lacks would fail."""
    path = tmp_path / f"out{suffix}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*VIDEO_OUTPUTS[suffix].fourcc), 24.0, (64, 48))
    try:
        assert writer.isOpened(), f"OpenCV cannot write {suffix} with {VIDEO_OUTPUTS[suffix].fourcc}"
    finally:
        writer.release()


@pytest.mark.parametrize("suffix", sorted(s for s, fmt in VIDEO_OUTPUTS.items() if fmt.alpha is None))
def test_alpha_into_a_container_without_it_names_what_to_write(suffix: str) -> None:
    with pytest.raises(OutputError, match=r"Write a \.webm .* or a \.mov"):
        video_output(Path(f"out{suffix}"), alpha=True)


def test_unknown_suffixes_are_refused_with_the_ones_that_work() -> None:
    with pytest.raises(MediaError, match=r"unsupported file type '\.m4a'.*\.mp4"):
        input_kind(Path("song.m4a"))
    with pytest.raises(OutputError, match=r"unsupported video type '\.avi'; use one of \.mp4"):
        video_output(Path("out.avi"), alpha=False)
    with pytest.raises(OutputError, match=r"Write a \.png"):
        check_image_output(Path("out.jpg"), alpha=True)


@pytest.mark.parametrize(
    ("source", "alpha", "suffix"),
    [
        ("a.jpg", False, ".jpg"),
        ("a.jpg", True, ".png"),
        ("a.webp", True, ".webp"),
        ("a.mov", True, ".mov"),
        ("a.mp4", True, TRANSPARENT_VIDEO_SUFFIX),
        ("a.avi", False, ".mp4"),
        ("a.mkv", False, ".mkv"),
    ],
)
def test_batch_output_suffix_keeps_the_input_type_where_it_can(source: str, alpha: bool, suffix: str) -> None:
    assert output_suffix(Path(source), alpha=alpha) == suffix
    if suffix in IMAGE_SUFFIXES:
        check_image_output(Path(f"out{suffix}"), alpha=alpha)
    else:
        video_output(Path(f"out{suffix}"), alpha=alpha)


@pytest.mark.parametrize(("preset", "crf"), [("placebo", 18), ("superfast", 52), ("superfast", -1)])
def test_h264_options_outside_what_libx264_offers_are_refused(preset: str, crf: int) -> None:
    with pytest.raises(SettingsError):
        H264(preset, crf)
