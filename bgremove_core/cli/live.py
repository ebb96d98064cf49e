"""``bgremove live``: a camera or a screen region, processed live in a window with an FPS overlay.

The loop (:func:`run_live`) takes its frame source, display and controls as arguments, so the
same code runs with a real window, headless for scripted runs (``--no-window --frames N``), or
driven by a test with scripted key presses. Processing goes through
:class:`~bgremove_core.pipeline.RealtimeProcessor`: the model runs on a worker thread and the
window never waits for it. With Keep in sync (``--keep-in-sync``, the default) the window shows
each camera frame with its own mask, as late as the model takes; ``--no-keep-in-sync`` shows the
newest frame with the newest mask.

Keys: b cycles the background mode, i the background image (from --images), m toggles the
mask view, q or Esc quits.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import MediaError, SettingsError
from ..settings import Background, Settings
from .options import add_settings_arguments, settings_from_args

if TYPE_CHECKING:
    import numpy as np

    from ..media.sources import FrameSource
    from ..pipeline import RealtimeProcessor

HELP = "Process a camera or a screen region live, in a window with an FPS overlay."
WINDOW_TITLE = "bgremove live (b: background, i: image, m: mask, q: quit)"
KEY_ESC = 27
FPS_SMOOTHING = 0.9
"""Weight of the previous estimate in the displayed FPS: steady to read, still quick to react."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``live`` and its options."""
    p = subparsers.add_parser(
        "live",
        help=HELP,
        description=HELP + " Keys: b = next background mode, i = next image from --images, "
        "m = show the mask, q or Esc = quit.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--camera", type=int, default=0, metavar="N", help="Camera index to open. Default: 0."
    )
    source.add_argument(
        "--screen",
        nargs="?",
        const="",
        metavar="LEFT,TOP,WIDTH,HEIGHT",
        help="Capture the screen instead of a camera: the whole first monitor, or this region.",
    )
    p.add_argument(
        "--images", nargs="+", type=Path, default=[], metavar="FILE", help="Background images for key i."
    )
    p.add_argument(
        "--frames", type=int, metavar="N", help="Stop after N frames. Default: run until q, Esc or Ctrl-C."
    )
    p.add_argument(
        "--no-window", action="store_true", help="Do not open a window (for scripted and remote runs)."
    )
    add_settings_arguments(p, realtime=True)
    p.set_defaults(run=run)


class Display(Protocol):
    """Where live frames are shown and key presses come from."""

    def show(self, image: np.ndarray) -> int | None:
        """Show a BGR frame; return the key pressed since the last frame, if any."""
        ...

    def close(self) -> None:
        """Close the window; safe to call twice."""
        ...


class WindowDisplay:
    """An OpenCV window; closing it with the mouse counts as quitting."""

    def __init__(self, title: str = WINDOW_TITLE) -> None:
        import cv2

        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            raise MediaError(
                "There is no display for the live window ($DISPLAY is not set); add --no-window."
            )
        self._title = title
        _point_qt_at_fonts()
        cv2.namedWindow(title, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO)
        self._open = True

    def show(self, image: np.ndarray) -> int | None:
        import cv2

        cv2.imshow(self._title, image)
        key = cv2.waitKey(1)
        if cv2.getWindowProperty(self._title, cv2.WND_PROP_VISIBLE) < 1:
            return KEY_ESC
        return None if key < 0 else key & 0xFF

    def close(self) -> None:
        import cv2

        if self._open:
            cv2.destroyWindow(self._title)
            cv2.waitKey(1)
            self._open = False


#: Where Linux distributions keep fonts; Qt needs a folder that holds font files itself.
SYSTEM_FONTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


def _point_qt_at_fonts() -> None:
    """Give OpenCV's Qt window a font folder that exists, before the window opens.

    Importing cv2 points ``QT_QPA_FONTDIR`` at ``cv2/qt/fonts``, which the wheel does not ship,
    so Qt prints "QFontDatabase: Cannot find font directory ... Qt no longer ships fonts" a few
    times per run. The first system folder with font files in it is used instead; with none,
    nothing changes.
    """
    current = os.environ.get("QT_QPA_FONTDIR")
    if not sys.platform.startswith("linux") or (current and Path(current).is_dir()):
        return
    for base in SYSTEM_FONTS:
        folder = next((f.parent for f in sorted(base.rglob("*.[ot]tf")) if f.is_file()), None)
        if folder is not None:
            os.environ["QT_QPA_FONTDIR"] = str(folder)
            return


class NoDisplay:
    """Headless: frames are processed but not shown, and no key is ever pressed."""

    def show(self, image: np.ndarray) -> int | None:
        return None

    def close(self) -> None:
        pass


class Controls:
    """Turns key presses into settings changes (or quitting).

    Args:
        settings: The starting settings.
        images: Background images to cycle through with ``i`` (checked to exist by the caller).
    """

    def __init__(self, settings: Settings, images: Sequence[str] = ()) -> None:
        self.settings = settings
        self.images = list(images) or ([settings.image] if settings.image else [])
        self._image_index = self.images.index(settings.image) if settings.image in self.images else -1
        self.quit = False

    def modes(self) -> list[str]:
        """Background modes that can be shown with what was given (image/video need a file)."""
        usable = {Background.IMAGE: bool(self.images), Background.VIDEO: bool(self.settings.video)}
        return [mode.value for mode in Background if usable.get(mode, True)]

    def press(self, key: int | None) -> Settings | None:
        """Handle one key; return the new settings if they changed."""
        if key is None:
            return None
        char = chr(key).lower() if key < 0x80 else ""
        s = self.settings
        if key == KEY_ESC or char == "q":
            self.quit = True
            return None
        if char == "b":
            modes = self.modes()
            mode = modes[(modes.index(s.background) + 1) % len(modes)] if s.background in modes else modes[0]
            image = s.image or (self.images[0] if mode == Background.IMAGE else "")
            new = s.replace(background=mode, image=image, show_mask=False)
        elif char == "i" and self.images:
            self._image_index = (self._image_index + 1) % len(self.images)
            new = s.replace(
                background=Background.IMAGE, image=self.images[self._image_index], show_mask=False
            )
        elif char == "m":
            new = s.replace(show_mask=not s.show_mask)
        else:
            return None
        self.settings = new
        return new


@dataclass(frozen=True)
class LiveStats:
    """How a live run went.

    Attributes:
        frames: Frames shown (one per frame read; a picture may repeat while it waits for a mask).
        seconds: Wall-clock time from the first frame read to the last one shown.
        mean_mask_age: How many frames older than its picture the mask was on average (0 = always
            the picture's own).
        pictures: Different camera frames shown (fewer than ``frames`` in sync when the model
            skips frames).
        mean_delay: How many frames the picture shown was behind the frame just read, on average.
    """

    frames: int
    seconds: float
    mean_mask_age: float
    pictures: int = 0
    mean_delay: float = 0.0

    @property
    def fps(self) -> float:
        """Frames shown per second."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def overlay(image: np.ndarray, fps: float, settings: Settings) -> np.ndarray:
    """The frame as shown: transparency over a checkerboard, and the FPS and mode written on it."""
    from ..media.sheet import flatten, label

    mode = "mask" if settings.show_mask else settings.background
    return label(flatten(image), f"{fps:4.1f} fps  {mode}")


def run_live(
    source: FrameSource,
    processor: RealtimeProcessor,
    display: Display,
    controls: Controls,
    *,
    frames: int | None = None,
) -> LiveStats:
    """Read, process and show frames until ``frames`` are done or the user quits (q, Esc, Ctrl-C)."""
    shown = 0
    ages = 0
    delays = 0
    pictures = 0
    picture = 0
    fps = 0.0
    started = last = time.perf_counter()
    try:
        while frames is None or shown < frames:
            result = processor.process(source.read())
            now = time.perf_counter()
            rate = 1 / max(now - last, 1e-6)
            fps = rate if shown == 0 else FPS_SMOOTHING * fps + (1 - FPS_SMOOTHING) * rate
            last = now
            shown += 1
            ages += result.mask_age
            delays += result.delay
            if shown - result.delay != picture:  # a new camera frame, not the same one again
                pictures += 1
                picture = shown - result.delay
            changed = controls.press(display.show(overlay(result.output, fps, controls.settings)))
            if controls.quit:
                break
            if changed is not None:
                processor.update(changed)
    except KeyboardInterrupt:
        pass
    seconds = time.perf_counter() - started
    if not shown:
        return LiveStats(0, seconds, 0.0)
    return LiveStats(shown, seconds, ages / shown, pictures, delays / shown)


def run(args: argparse.Namespace) -> int:
    """Open the source, the processor and the window, and run the loop."""
    from ..media.files import check_input_file
    from ..media.sources import CameraSource, ScreenSource, parse_region
    from ..pipeline import RealtimeProcessor

    settings = settings_from_args(args)
    images = [str(check_input_file(path, "background image")) for path in args.images]
    if args.frames is not None and args.frames < 1:
        raise SettingsError(f"--frames must be at least 1, not {args.frames}.")
    controls = Controls(settings, images)
    display: Display = NoDisplay() if args.no_window else WindowDisplay()
    try:
        if args.screen is not None:
            source: FrameSource = ScreenSource(parse_region(args.screen) if args.screen else None)
        else:
            source = CameraSource(args.camera)
        try:
            with RealtimeProcessor(settings) as processor:
                stats = run_live(source, processor, display, controls, frames=args.frames)
        finally:
            source.close()
    finally:
        display.close()
    print(
        f"live: {stats.frames} frames in {stats.seconds:.1f} s ({stats.fps:.1f} frames/s shown, "
        f"{stats.pictures} different camera frames); pictures were {stats.mean_delay:.1f} frames "
        f"behind the camera and masks {stats.mean_mask_age:.1f} frames older than their picture "
        "on average."
    )
    return 0
