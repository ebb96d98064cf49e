"""The harness's Xvfb display for the docs pictures: find OBS's windows, type keys, grab the screen.

Xvfb runs no window manager, and OBS has no API to open some of its windows (Tools > Scripts):
the pictures are made the way a user gets there, with the keyboard, through the X test extension
(libXtst, as xdotool does) and Xlib, both reached with ctypes so no X tool is needed. The screen
is grabbed with ffmpeg's x11grab.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np

WAIT_SECONDS = 30.0
"""Deadline for a window to appear: only catches a key press that went nowhere."""
KEY_GAP_SECONDS = 0.15
"""Pause after each key, so Qt has handled one key (e.g. opened a menu) before the next arrives."""
REVERT_TO_PARENT = 2
CURRENT_TIME = 0


def _bind(lib: ctypes.CDLL, signatures: tuple[tuple[str, object, list[object]], ...]) -> None:
    for name, restype, argtypes in signatures:
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes


class X11:
    """One connection to an X display (close it with :meth:`close`)."""

    def __init__(self, display: str) -> None:
        self.display = display
        p, ulong, uint, cint = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_uint, ctypes.c_int
        self.lib = ctypes.CDLL(ctypes.util.find_library("X11"))
        _bind(
            self.lib,
            (
                ("XOpenDisplay", p, [ctypes.c_char_p]),
                ("XDefaultRootWindow", ulong, [p]),
                (
                    "XQueryTree",
                    cint,
                    [p, ulong, *[ctypes.POINTER(ulong)] * 2, ctypes.POINTER(p), ctypes.POINTER(uint)],
                ),
                ("XFetchName", cint, [p, ulong, ctypes.POINTER(ctypes.c_char_p)]),
                ("XGetWindowAttributes", cint, [p, ulong, p]),
                ("XResizeWindow", cint, [p, ulong, uint, uint]),
                ("XMoveResizeWindow", cint, [p, ulong, cint, cint, uint, uint]),
                ("XSetInputFocus", cint, [p, ulong, cint, ulong]),
                ("XStringToKeysym", ulong, [ctypes.c_char_p]),
                ("XKeysymToKeycode", ctypes.c_ubyte, [p, ulong]),
                ("XSync", cint, [p, cint]),
                ("XFree", cint, [p]),
                ("XCloseDisplay", cint, [p]),
            ),
        )
        self.xtst = ctypes.CDLL(ctypes.util.find_library("Xtst"))
        _bind(
            self.xtst,
            (
                ("XTestFakeKeyEvent", cint, [p, uint, cint, ulong]),
                ("XTestFakeMotionEvent", cint, [p, cint, cint, cint, ulong]),
                ("XTestFakeButtonEvent", cint, [p, uint, cint, ulong]),
            ),
        )
        self.connection = self.lib.XOpenDisplay(display.encode())
        if not self.connection:
            raise RuntimeError(f"Cannot open the X display {display}.")

    def close(self) -> None:
        self.lib.XCloseDisplay(self.connection)

    def titles(self) -> dict[int, bytes]:
        """Every named top-level window: id -> title."""
        root, parent, count = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_uint()
        children = ctypes.c_void_p()
        root_window = self.lib.XDefaultRootWindow(self.connection)
        self.lib.XQueryTree(self.connection, root_window, root, parent, children, count)
        windows = list(ctypes.cast(children, ctypes.POINTER(ctypes.c_ulong))[: count.value])
        self.lib.XFree(children)
        named = {}
        for window in windows:
            name = ctypes.c_char_p()
            if self.lib.XFetchName(self.connection, window, ctypes.byref(name)) and name.value:
                named[window] = name.value
                self.lib.XFree(name)
        return named

    def find(self, title: bytes) -> int:
        """The top-level window whose title starts with ``title``."""
        for window, name in self.titles().items():
            if name.startswith(title):
                return window
        raise RuntimeError(f"No window titled {title.decode()}... on the display.")

    def wait_for(self, title: bytes, timeout: float = WAIT_SECONDS) -> int:
        """The window titled ``title...`` once it exists and is mapped with a size."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                window = self.find(title)
                if self.geometry(window)[2] > 1:
                    return window
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)

    def geometry(self, window: int) -> tuple[int, int, int, int]:
        """x, y, width, height: the first four ints of XWindowAttributes (a 136-byte struct)."""
        attributes = (ctypes.c_int * 64)()
        self.lib.XGetWindowAttributes(self.connection, window, attributes)
        return attributes[0], attributes[1], attributes[2], attributes[3]

    def resize(self, window: int, width: int, height: int) -> None:
        self.lib.XResizeWindow(self.connection, window, width, height)
        self.lib.XSync(self.connection, 0)

    def place(self, window: int, x: int, y: int, width: int, height: int) -> None:
        """Move and resize ``window`` (no window manager would keep a big one on the screen)."""
        self.lib.XMoveResizeWindow(self.connection, window, x, y, width, height)
        self.lib.XSync(self.connection, 0)

    def focus(self, window: int) -> None:
        """Give ``window`` the keyboard (with no window manager nobody else does)."""
        self.lib.XSetInputFocus(self.connection, window, REVERT_TO_PARENT, CURRENT_TIME)
        self.lib.XSync(self.connection, 0)

    def keys(self, *combos: str) -> None:
        """Type key combinations like ``"alt+t"``, ``"Down"``, ``"Tab"``, ``"space"`` (X keysym names)."""
        for combo in combos:
            codes = []
            for name in combo.split("+"):
                keysym = self.lib.XStringToKeysym(
                    {"alt": b"Alt_L", "shift": b"Shift_L"}.get(name, name.encode())
                )
                code = self.lib.XKeysymToKeycode(self.connection, keysym)
                if not code:
                    raise RuntimeError(f"The display has no key {name!r}.")
                codes.append(code)
            for code in codes:
                self.xtst.XTestFakeKeyEvent(self.connection, code, True, CURRENT_TIME)
            for code in reversed(codes):
                self.xtst.XTestFakeKeyEvent(self.connection, code, False, CURRENT_TIME)
            self.lib.XSync(self.connection, 0)
            time.sleep(KEY_GAP_SECONDS)

    def click(self, x: int, y: int) -> None:
        """A left click at screen position ``x``, ``y``."""
        self.xtst.XTestFakeMotionEvent(self.connection, -1, x, y, CURRENT_TIME)
        for pressed in (True, False):
            self.xtst.XTestFakeButtonEvent(self.connection, 1, pressed, CURRENT_TIME)
        self.lib.XSync(self.connection, 0)
        time.sleep(KEY_GAP_SECONDS)

    def grab(self, window: int, workdir: Path) -> np.ndarray:
        """What ``window`` shows on the screen right now (BGR)."""
        x, y, w, h = self.geometry(window)
        screen = workdir / "screen.png"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "x11grab",
                "-i",
                self.display,
                "-frames:v",
                "1",
                str(screen),
            ],
            check=True,
        )
        image = cv2.imread(str(screen))
        return np.ascontiguousarray(image[y : y + h, x : x + w])
