"""Every refusal: one sentence on stderr, exit code 2, and no output file (nor temporary file) left."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import cv2
import pytest
from clitools import leftovers

Case = Callable[[Path, Path], tuple[list[object], str]]
"""Given (work folder, clip with sound) -> (bgremove arguments, words the error must contain)."""


def _missing(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", d / "nope.mp4", d / "out.mp4"], "does not exist"


def _empty(d: Path, clip: Path) -> tuple[list[object], str]:
    (d / "empty.mp4").write_bytes(b"")
    return ["process", d / "empty.mp4", d / "out.mp4"], "is empty"


def _corrupt(d: Path, clip: Path) -> tuple[list[object], str]:
    (d / "broken.mp4").write_bytes(clip.read_bytes()[:3000])
    return ["process", d / "broken.mp4", d / "out.mp4"], "could not be decoded"


def _unreadable_image(d: Path, clip: Path) -> tuple[list[object], str]:
    (d / "photo.png").write_bytes(b"this is not a picture")
    return ["process", d / "photo.png", d / "out.png"], "is not an image"


def _unsupported_input(d: Path, clip: Path) -> tuple[list[object], str]:
    (d / "notes.txt").write_text("hello")
    return ["process", d / "notes.txt", d / "out.mp4"], "unsupported file type"


def _unsupported_output(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.xyz"], "unsupported video type"


def _same_file(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, clip, "--overwrite"], "is also a file this run reads"


def _same_file_relative(d: Path, clip: Path) -> tuple[list[object], str]:
    (d / "sub").mkdir()
    return ["process", clip, d / "sub" / ".." / clip.name, "--overwrite"], "is also a file this run reads"


def _same_file_symlink(d: Path, clip: Path) -> tuple[list[object], str]:
    (d / "link.mp4").symlink_to(clip)
    return ["process", clip, d / "link.mp4", "--overwrite"], "is also a file this run reads"


def _output_is_background(d: Path, clip: Path) -> tuple[list[object], str]:
    bg = Path(shutil.copy(d / "person.png", d / "bg.png"))
    return [
        "process",
        d / "person.png",
        bg,
        "--background",
        "image",
        "--image",
        bg,
        "--overwrite",
    ], "is also a file this run reads"


def _missing_folder(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "no-such-folder" / "out.mp4"], "does not exist; create it first"


def _alpha_in_mp4(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--background", "transparent"], "Write a .webm"


def _alpha_in_jpeg(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", d / "person.png", d / "out.jpg", "--background", "transparent"], "Write a .png"


def _out_of_range(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--threshold", "1.5"], "must be between 0.05 and 0.95"


def _crf_out_of_range(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--crf", "60"], "must be 0 to 51"


def _bad_colour(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--background", "colour", "--colour", "green"], "like #00B140"


def _start_after_end(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--start", "60"], "is not before the end"


def _end_before_start(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--start", "2", "--end", "1"], "must be after --start"


def _trim_an_image(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", d / "person.png", d / "out.png", "--start", "1"], "apply to videos only"


def _missing_background(d: Path, clip: Path) -> tuple[list[object], str]:
    return [
        "process",
        clip,
        d / "out.mp4",
        "--background",
        "image",
        "--image",
        d / "nope.jpg",
    ], "does not exist"


def _image_mode_without_image(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["process", clip, d / "out.mp4", "--background", "image"], "no background image"


def _preview_not_png(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["preview", clip, d / "out.jpg"], "must be a .png"


def _preview_outside_video(d: Path, clip: Path) -> tuple[list[object], str]:
    return ["preview", clip, d / "out.png", "--at", "99"], "is outside"


CASES: list[Case] = [
    _missing,
    _empty,
    _corrupt,
    _unreadable_image,
    _unsupported_input,
    _unsupported_output,
    _same_file,
    _same_file_relative,
    _same_file_symlink,
    _output_is_background,
    _missing_folder,
    _alpha_in_mp4,
    _alpha_in_jpeg,
    _out_of_range,
    _crf_out_of_range,
    _bad_colour,
    _start_after_end,
    _end_before_start,
    _trim_an_image,
    _missing_background,
    _image_mode_without_image,
    _preview_not_png,
    _preview_outside_video,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__.strip("_"))
def test_refusal_is_one_sentence_exit_2_and_no_output(cli, clip: Path, shared_data: Path, case: Case) -> None:
    folder = clip.parent
    cv2.imwrite(str(folder / "person.png"), cv2.imread(str(shared_data / "people" / "images" / "105.jpg")))
    before = {p.name: p.stat().st_mtime_ns for p in folder.rglob("*")}
    args, words = case(folder, clip)
    created = {p.name for p in folder.rglob("*")} - set(before)
    run = cli(*args)
    assert run.code == 2
    assert run.err.startswith("bgremove: error: ") and words in run.err, run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err
    assert {p.name for p in folder.rglob("*")} == set(before) | created, "no file may appear"
    assert leftovers(folder) == []


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
