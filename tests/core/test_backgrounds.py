"""Replacement backgrounds: cover-fit at any size, looping video, and a clear error per bad file."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from bgremove_core.backgrounds import VideoBackground, cover_fit, open_background, read_image
from bgremove_core.errors import MediaError
from bgremove_core.settings import Settings


def _quadrants(width: int, height: int) -> np.ndarray:
    """Four flat colours, one per quadrant, so the crop and scale of a fit can be read off."""
    image = np.empty((height, width, 3), np.uint8)
    image[: height // 2, : width // 2] = (255, 0, 0)
    image[: height // 2, width // 2 :] = (0, 255, 0)
    image[height // 2 :, : width // 2] = (0, 0, 255)
    image[height // 2 :, width // 2 :] = (255, 255, 255)
    return image


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ((640, 480), (1280, 720)),
        ((300, 900), (1920, 1080)),
        ((4000, 1000), (640, 480)),
        ((1280, 720), (1280, 720)),
    ],
)
def test_cover_fit_fills_the_target_and_crops_the_centre(source, target):
    out = cover_fit(_quadrants(*source), *target)
    tw, th = target
    assert out.shape == (th, tw, 3)
    assert out.flags["C_CONTIGUOUS"]
    # The centre of the picture stays the centre: all four colours meet in the middle.
    corners = {tuple(out[th // 2 + dy, tw // 2 + dx]) for dy in (-3, 2) for dx in (-3, 2)}
    assert len(corners) == 4
    # Cover, not contain: the image is never letterboxed, every edge pixel is picture.
    assert (out.max(axis=2) > 100).all()


def test_cover_fit_keeps_the_aspect_ratio():
    image = np.zeros((400, 400, 3), np.uint8)
    cv2.circle(image, (200, 200), 100, (255, 255, 255), -1)
    out = cover_fit(image, 1280, 720)
    ys, xs = np.nonzero(out[..., 0] > 127)
    assert abs((xs.max() - xs.min()) - (ys.max() - ys.min())) <= 3


def _write_video(path, colours: list[int], size=(96, 64)) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert writer.isOpened()
    for grey in colours:
        writer.write(np.full((size[1], size[0], 3), grey, np.uint8))
    writer.release()


def test_video_background_loops_and_is_cover_fitted(tmp_path):
    path = tmp_path / "loop.avi"
    levels = [20, 80, 140, 200]
    _write_video(path, levels)
    video = VideoBackground(str(path))
    seen = []
    for _ in range(10):
        frame = video.frame(320, 180)
        assert frame.shape == (180, 320, 3)
        seen.append(min(levels, key=lambda level, f=frame: abs(int(f.mean()) - level)))
    video.close()
    video.close()
    assert seen == levels + levels + levels[:2]


def test_open_background_gives_none_for_blur_and_transparent():
    assert open_background(Settings(background="blur")) is None
    assert open_background(Settings(background="transparent")) is None


def test_colour_background_is_the_colour():
    source = open_background(Settings(background="colour", colour="#102030"))
    assert (source.frame(64, 36).reshape(-1, 3) == (0x30, 0x20, 0x10)).all()


def test_image_background_reads_16_bit_and_greyscale_files(tmp_path):
    grey16 = tmp_path / "grey16.png"
    cv2.imwrite(str(grey16), np.full((40, 60), 30000, np.uint16))
    image = read_image(str(grey16))
    assert image.shape == (40, 60, 3)
    assert image.dtype == np.uint8


def _bad_files(tmp_path) -> dict[str, tuple[str, str]]:
    """name -> (path, what the message must say)."""
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture\n")
    corrupt = tmp_path / "corrupt.png"
    good = cv2.imencode(".png", np.zeros((50, 50, 3), np.uint8))[1].tobytes()
    corrupt.write_bytes(good[:40] + bytes(200))
    return {
        "missing": (str(tmp_path / "missing.png"), "does not exist"),
        "folder": (str(tmp_path), "not a file"),
        "empty": (str(empty), "empty"),
        "text": (str(text), "not an image"),
        "corrupt": (str(corrupt), "not an image"),
    }


@pytest.mark.parametrize("case", ["missing", "folder", "empty", "text", "corrupt"])
def test_bad_image_files_raise_a_clear_media_error(tmp_path, case):
    path, says = _bad_files(tmp_path)[case]
    with pytest.raises(MediaError, match=says) as info:
        open_background(Settings(background="image", image=path))
    assert path in str(info.value)


@pytest.mark.parametrize(
    ("content", "says"),
    [(None, "does not exist"), (b"", "empty"), (b"this is not a video\n", "could not be read")],
)
def test_bad_video_files_raise_a_clear_media_error(tmp_path, content, says):
    path = tmp_path / "background.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MediaError, match=says) as info:
        open_background(Settings(background="video", video=str(path)))
    assert str(path) in str(info.value)


@pytest.mark.parametrize("mode", ["image", "video"])
def test_a_mode_without_a_file_says_so(mode):
    with pytest.raises(MediaError, match=f"no background {mode} file"):
        open_background(Settings(background=mode))
