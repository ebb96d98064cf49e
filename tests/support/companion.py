"""Test-only OBS script: gives the pytest harness what obs-websocket 5.1 cannot.

The harness (``obs.py`` beside this file) loads this script into every OBS it starts. Each
command below is a frontend hotkey named ``bgremove_companion.<command>``; the harness fires it
with the websocket request ``TriggerHotkeyByName`` and waits for the JSON reply this script
writes to ``$BGREMOVE_COMPANION_DIR/<command>.json`` (written to a temporary name, then renamed,
so the harness never reads half a file).

Commands:

- ``filter_kinds``: ids of every registered filter type, from libobs ``obs_enum_filter_types``
  (websocket 5.1 has no GetSourceFilterKindList).
- ``reload_scripts``: what the Scripts dialog's Reload button does, ``obs_script_reload`` on every
  loaded script followed by a properties refresh, run on the UI thread like the button. Scripts are
  found through the ``__script_data__`` capsule that libobs-scripting puts in every script module:
  it points at the ``struct obs_python_script`` whose first member is the ``obs_script_t``.
- ``press_setup``: what a click on bgremove's Set up bgremove button in Tools > Scripts does:
  ``obs_property_button_clicked`` on the ``bgremove_setup`` button of the script's properties, on
  the UI thread like the Scripts dialog.
- ``capture_start`` / ``capture_stop``: every frame OBS outputs, as libobs hands it to encoders
  (``obs_add_raw_video_callback``, scaled by libobs to :data:`CAPTURE_SIZE` RGBA), appended to
  ``$BGREMOVE_COMPANION_DIR/capture.rgba``; ``capture_stop`` replies with the frame count. What
  the canvas really showed, frame by frame, for the as-drawn measurements
  (``tests/support/asdrawn.py``).
- ``quit``: what File > Exit does, ``QWidget::close()`` on the main window, run by Qt's event loop
  on the UI thread. The harness stops OBS this way, never with SIGINT: OBS 29.0's SIGINT handler
  calls ``close()`` *inside the signal handler*, i.e. the whole shutdown runs on top of whatever
  the UI thread was doing. Caught in gdb on this machine: interrupted in the middle of an xcb write
  it deadlocks on the xcb lock (OBS hangs), interrupted in the middle of a paint it paints again
  and crashes in ``QRasterPaintEngine::drawCachedGlyphs`` under ``SourceTree::paintEvent`` (exit
  -11). Both need no script at all (2 hangs + 1 crash in 20 plain start/SIGINT runs). The task
  is queued with a C function as callback (``QWidget::close`` takes only ``this``), so no Python
  frame of this script is on the stack while OBS unloads the scripts during shutdown.

Why the UI thread: Python hotkey callbacks run on the "scripting: defer" thread, and
``obs_script_reload`` waits for that very thread to drain its queue, so reloading from the callback
would deadlock. The companion never reloads itself: that would re-execute this module while one of
its callbacks is still on the stack.

Runs inside OBS's embedded Python: standard library, ``obspython`` and ``ctypes`` only.
"""

import ctypes
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import obspython as obs

HOTKEY_PREFIX = "bgremove_companion."
REPLY_DIR_ENV = "BGREMOVE_COMPANION_DIR"
OBS_TASK_UI = 0

_libobs = ctypes.CDLL("libobs.so.0")
SCRIPTING_LIBRARIES = ("libobs-scripting.so.1", "libobs-scripting.so.0")
"""OBS 29/30 ship ``.so.1``; Debian sid's OBS 32 ships ``.so.0``."""


def _load_first(names: tuple[str, ...]) -> ctypes.CDLL:
    """The first of ``names`` the dynamic loader finds (OBS has already loaded it)."""
    errors = []
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError as error:
            errors.append(str(error))
    raise OSError("; ".join(errors))


_scripting = _load_first(SCRIPTING_LIBRARIES)
_frontend = ctypes.CDLL("libobs-frontend-api.so.0")
QT_WIDGETS = ("libQt5Widgets.so.5", "libQt6Widgets.so.6")
QWIDGET_CLOSE = "_ZN7QWidget5closeEv"
"""``bool QWidget::close()``: a non-virtual member taking only ``this``, so on x86-64 it can be
called as the ``void (*)(void *)`` of an OBS task with the widget as the parameter."""
_TASK = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
CAPTURE_SIZE = (640, 360)
CAPTURE_FILE = "capture.rgba"
VIDEO_FORMAT_RGBA, VIDEO_RANGE_FULL = 6, 2


class _VideoData(ctypes.Structure):
    """``struct video_data``: 8 plane pointers, 8 line sizes, the timestamp."""

    _fields_ = (
        ("data", ctypes.c_void_p * 8),
        ("linesize", ctypes.c_uint32 * 8),
        ("timestamp", ctypes.c_uint64),
    )


class _ScaleInfo(ctypes.Structure):
    """``struct video_scale_info``: format, width, height, range, colour space."""

    _fields_ = (
        ("format", ctypes.c_int),
        ("width", ctypes.c_uint32),
        ("height", ctypes.c_uint32),
        ("range", ctypes.c_int),
        ("colorspace", ctypes.c_int),
    )


_RAW_VIDEO = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_VideoData))

_SIGNATURES: tuple[tuple[ctypes.CDLL, str, object, tuple[object, ...]], ...] = (
    (_libobs, "obs_enum_filter_types", ctypes.c_bool, (ctypes.c_size_t, ctypes.POINTER(ctypes.c_char_p))),
    (_libobs, "obs_queue_task", None, (ctypes.c_int, _TASK, ctypes.c_void_p, ctypes.c_bool)),
    (_libobs, "obs_data_create", ctypes.c_void_p, ()),
    (_libobs, "obs_data_release", None, (ctypes.c_void_p,)),
    (_libobs, "obs_properties_apply_settings", None, (ctypes.c_void_p, ctypes.c_void_p)),
    (_libobs, "obs_properties_destroy", None, (ctypes.c_void_p,)),
    (_libobs, "obs_properties_get", ctypes.c_void_p, (ctypes.c_void_p, ctypes.c_char_p)),
    (_libobs, "obs_property_button_clicked", ctypes.c_bool, (ctypes.c_void_p, ctypes.c_void_p)),
    (_scripting, "obs_script_reload", ctypes.c_bool, (ctypes.c_void_p,)),
    (_scripting, "obs_script_get_file", ctypes.c_char_p, (ctypes.c_void_p,)),
    (_scripting, "obs_script_get_properties", ctypes.c_void_p, (ctypes.c_void_p,)),
    (_frontend, "obs_frontend_get_main_window", ctypes.c_void_p, ()),
    (_libobs, "obs_add_raw_video_callback", None, (ctypes.c_void_p, _RAW_VIDEO, ctypes.c_void_p)),
    (_libobs, "obs_remove_raw_video_callback", None, (_RAW_VIDEO, ctypes.c_void_p)),
)


def _bind() -> dict[str, Callable[..., object]]:
    """Give every C function its signature once; unset argtypes would truncate 64-bit pointers."""
    functions = {}
    for library, name, restype, argtypes in _SIGNATURES:
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = list(argtypes)
        functions[name] = function
    return functions


_c = _bind()
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def _reply(command: str, payload: dict) -> None:
    """Write the reply atomically so the harness never parses a partial file."""
    directory = Path(os.environ[REPLY_DIR_ENV])
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{command}.json.partial"
    partial.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(partial, directory / f"{command}.json")


def _filter_kinds() -> None:
    kinds = []
    kind = ctypes.c_char_p()
    while _c["obs_enum_filter_types"](len(kinds), ctypes.byref(kind)):
        kinds.append(kind.value.decode("utf-8"))
    _reply("filter_kinds", {"kinds": kinds})


def _loaded_scripts() -> list[int]:
    """obs_script_t pointers of every loaded script module except this one."""
    scripts = []
    for module in list(sys.modules.values()):
        capsule = getattr(module, "__dict__", {}).get("__script_data__")
        if capsule is None or module is sys.modules[__name__]:
            continue
        if type(capsule).__name__ == "PyCapsule":
            scripts.append(_capsule_pointer(capsule, None))
    return scripts


def _reload_one(script: int) -> dict:
    """Reload like ScriptsTool::ReloadScript: reload, then rebuild the properties once."""
    loaded = bool(_c["obs_script_reload"](script))
    properties = _c["obs_script_get_properties"](script)
    settings = _c["obs_data_create"]()
    _c["obs_properties_apply_settings"](properties, settings)
    _c["obs_properties_destroy"](properties)
    _c["obs_data_release"](settings)
    return {"file": _c["obs_script_get_file"](script).decode("utf-8"), "loaded": loaded}


def _reload_on_ui_thread(_param: int | None) -> None:
    try:
        _reply("reload_scripts", {"scripts": [_reload_one(s) for s in _loaded_scripts()]})
    except Exception as exc:  # a ctypes callback must not raise; the harness reads the error
        _reply("reload_scripts", {"error": f"{type(exc).__name__}: {exc}"})


_RELOAD_TASK = _TASK(_reload_on_ui_thread)


def _reload_scripts() -> None:
    _c["obs_queue_task"](OBS_TASK_UI, _RELOAD_TASK, None, False)


SETUP_BUTTON = b"bgremove_setup"


def _press_on_ui_thread(_param: int | None) -> None:
    try:
        pressed = []
        for script in _loaded_scripts():
            properties = _c["obs_script_get_properties"](script)
            button = _c["obs_properties_get"](properties, SETUP_BUTTON)
            if button:
                _c["obs_property_button_clicked"](button, None)
                pressed.append(_c["obs_script_get_file"](script).decode("utf-8"))
            _c["obs_properties_destroy"](properties)
        _reply("press_setup", {"pressed": pressed})
    except Exception as exc:  # a ctypes callback must not raise; the harness reads the error
        _reply("press_setup", {"error": f"{type(exc).__name__}: {exc}"})


_PRESS_TASK = _TASK(_press_on_ui_thread)


def _press_setup() -> None:
    _c["obs_queue_task"](OBS_TASK_UI, _PRESS_TASK, None, False)


def _qwidget_close() -> int:
    """Address of ``QWidget::close`` in the Qt that OBS loaded (Qt 5 on Debian's OBS 29)."""
    for name in QT_WIDGETS:
        try:
            return ctypes.cast(getattr(ctypes.CDLL(name), QWIDGET_CLOSE), ctypes.c_void_p).value
        except (OSError, AttributeError):
            continue
    raise RuntimeError(f"none of {', '.join(QT_WIDGETS)} exports {QWIDGET_CLOSE}")


_CLOSE_TASK = _TASK(_qwidget_close())


def _quit() -> None:
    window = _c["obs_frontend_get_main_window"]()
    if not window:
        raise RuntimeError("OBS has no main window to close")
    _c["obs_queue_task"](OBS_TASK_UI, _CLOSE_TASK, window, False)
    _reply("quit", {"queued": True})


class _Capture:
    """The raw video callback and its file; runs on libobs's video output thread."""

    def __init__(self) -> None:
        self.file = None
        self.frames = 0
        self.callback = _RAW_VIDEO(self._frame)
        self.scale = _ScaleInfo(VIDEO_FORMAT_RGBA, *CAPTURE_SIZE, VIDEO_RANGE_FULL, 0)

    def _frame(self, _param: int | None, frame: ctypes.POINTER(_VideoData)) -> None:
        video = frame.contents
        width, height = CAPTURE_SIZE
        pitch, row = video.linesize[0], width * 4
        rows = ctypes.string_at(video.data[0], pitch * height)
        if pitch != row:
            rows = b"".join(rows[r * pitch : r * pitch + row] for r in range(height))
        self.file.write(rows)
        self.frames += 1

    def start(self) -> None:
        directory = Path(os.environ[REPLY_DIR_ENV])
        directory.mkdir(parents=True, exist_ok=True)
        self.file = open(directory / CAPTURE_FILE, "wb")  # noqa: SIM115
        self.frames = 0
        _c["obs_add_raw_video_callback"](ctypes.byref(self.scale), self.callback, None)
        _reply("capture_start", {"size": list(CAPTURE_SIZE)})

    def stop(self) -> None:
        _c["obs_remove_raw_video_callback"](self.callback, None)
        self.file.close()
        _reply("capture_stop", {"frames": self.frames, "size": list(CAPTURE_SIZE)})


_capture = _Capture()


COMMANDS: dict[str, Callable[[], None]] = {
    "filter_kinds": _filter_kinds,
    "reload_scripts": _reload_scripts,
    "press_setup": _press_setup,
    "quit": _quit,
    "capture_start": _capture.start,
    "capture_stop": _capture.stop,
}


def _hotkey(command: str) -> Callable[[bool], None]:
    def pressed(is_pressed: bool) -> None:
        if not is_pressed:
            return
        try:
            COMMANDS[command]()
        except Exception as exc:
            _reply(command, {"error": f"{type(exc).__name__}: {exc}"})

    return pressed


def script_description() -> str:
    return "bgremove test companion: lets the pytest OBS harness list filters, reload scripts and quit."


def script_load(_settings: object) -> None:
    for command in COMMANDS:
        obs.obs_hotkey_register_frontend(HOTKEY_PREFIX + command, command, _hotkey(command))
    print("bgremove companion ready")
