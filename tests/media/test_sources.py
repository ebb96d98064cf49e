"""Live sources on real devices: a real X screen (Xvfb) captured through mss, a camera that is not
there, and the ``--screen`` region as users type it."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from bgremove_core.errors import MediaError, SettingsError
from bgremove_core.media.sources import CameraSource, ScreenSource, parse_region
from tests.support.procs import xvfb_display

SCREEN = (640, 480)


@pytest.fixture(scope="module")
def screen() -> Iterator[str]:
    """A private 640x480 X screen, as its DISPLAY value."""
    with xvfb_display(f"{SCREEN[0]}x{SCREEN[1]}x24") as display:
        yield display


def test_a_screen_region_gives_frames_of_its_size(screen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", screen)
    source = ScreenSource((100, 50, 320, 240), fps=1000)
    try:
        frames = [source.read() for _ in range(3)]
    finally:
        source.close()
    assert all(f.shape == (240, 320, 3) and f.dtype == np.uint8 for f in frames)


def test_the_whole_screen_by_default(screen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", screen)
    source = ScreenSource(fps=1000)
    try:
        assert source.read().shape == (SCREEN[1], SCREEN[0], 3)
    finally:
        source.close()


def test_a_region_past_the_screen_is_refused(screen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", screen)
    with pytest.raises(SettingsError, match="extends past the screen"):
        ScreenSource((600, 0, 100, 100))


def test_no_display_is_a_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(MediaError, match="could not be opened for capture"):
        ScreenSource()


def test_a_camera_that_is_not_there_is_a_sentence() -> None:
    with pytest.raises(MediaError, match="Camera 99 could not be opened"):
        CameraSource(99)


@pytest.mark.parametrize(
    ("text", "region"), [("0,0,1280,720", (0, 0, 1280, 720)), (" 10, 20, 640, 360 ", (10, 20, 640, 360))]
)
def test_region_as_typed(text: str, region: tuple[int, int, int, int]) -> None:
    assert parse_region(text) == region


@pytest.mark.parametrize("text", ["0,0,1280", "a,b,c,d", "0,0,8,8", "-1,0,100,100"])
def test_region_that_cannot_be_used_is_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="--screen"):
        parse_region(text)
