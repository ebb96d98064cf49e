"""Drive one real OBS Studio process headless, for end-to-end tests and benchmarks.

Why a harness instead of mocks: the bgremove filter lives inside OBS (ctypes into libobs, the
graphics thread, script reloads, scene-collection persistence), and only a real OBS shows whether
it works. Each :class:`Obs` owns one OBS process on its own Xvfb display, with an isolated HOME
(global.ini, profile and scene collection written here), its own websocket port and a log file.

Facts this relies on are in ``shared/docs/obs-python-filter.md`` sections 4 and 6: the config
files of :mod:`tests.support.obsconfig` (OBS 29 to 32), scripts listed in the collection's
``modules.scripts-tool``, a graceful exit that saves the collection and prints "Number of memory
leaks: 0", and dropping the ``QT_*`` variables that importing cv2 sets (OBS aborts on the xcb
plugin otherwise). One fact there is amended: OBS is stopped with File > Exit through the
companion, not SIGINT (see ``stop``).

What the websocket cannot do (list filter kinds, reload scripts, quit) goes through
``companion.py``, a test-only script loaded into every instance. obs-websocket 5.5 (OBS 30+)
answers 207 NotReady until OBS has finished loading: requests are retried until it is ready.

Typical use (the ``obs_factory`` fixture in :mod:`tests.support.fixtures` does the cleanup)::

    with Obs(tmp_path / "obs", scripts=[repo / "obs_bgremove.py"]) as obs:
        obs.add_media("clip", clip)
        obs.add_filter("clip", "bg", "bgremove_filter", {"background": "blur"})
        rgba = obs.wait_rendering("clip")
        obs.assert_clean_exit()
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import logging
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import obsws_python
import websocket

from .obsconfig import PROFILE, SCENE, write_first_config, write_start_config
from .paths import COMPANION
from .procs import HANG_SECONDS, cpu_seconds, descendants

COMPANION_READY = "bgremove companion ready"
CLEAN_EXIT_LINE = "Number of memory leaks: 0"
WEBSOCKET_STARTED = "[WebSocketServer::Start] Server started successfully on port {port}."
# Prefixes of OBS log lines that report a Python script error (tracebacks go to stderr, which
# OBS logs at LOG_ERROR; errors from ctypes callbacks have no script and show as Unknown Script).
SCRIPT_ERROR_PREFIXES = ("error: [Python", "error: [Unknown Script]")
BINARIES = ("obs", "Xvfb")
XVFB_SCREEN = "1920x1080x24"
LOG_TAIL_LINES = 80
# obs-websocket's RequestProcessingFailed: GetSourceScreenshot answers it while a source has no
# frame yet (size 0), e.g. a media source that has just been created.
SCREENSHOT_NOT_READY = 702
NOT_READY = 207
"""obs-websocket 5.5's NotReady: OBS is still loading (its scene collection, its scripts)."""
NOT_READY_SECONDS = 30.0
# Frames to let pass after a settings change: one tick applies the deferred update, one renders.
SETTLE_FRAMES = 2
DEATH_GRACE_SECONDS = 3
# Environment variables that would make OBS's embedded interpreter or Qt misbehave: the venv's
# Python home/path belong to another interpreter, XDG_CONFIG_HOME would escape the isolated HOME.
DROPPED_ENV = ("PYTHONHOME", "PYTHONPATH", "XDG_CONFIG_HOME", "WAYLAND_DISPLAY")

_live: weakref.WeakSet[Obs] = weakref.WeakSet()
# The SDK logs every failed request with a traceback before raising it; the exception already
# says everything, and expected failures (a source without a frame yet) would flood stderr.
logging.getLogger("obsws_python").addHandler(logging.NullHandler())


ObsFactory = Callable[..., "Obs"]
"""Type of the ``obs_factory`` fixture: ``(name="obs", *, start=True, **Obs kwargs) -> Obs``."""


class ObsHarnessError(RuntimeError):
    """OBS or Xvfb could not be started, answered wrongly, or timed out (log tail included)."""


def missing_binaries() -> list[str]:
    """Names of the programs the harness needs that are not on PATH."""
    return [name for name in BINARIES if shutil.which(name) is None]


def installed_version() -> str:
    """The version of the ``obs`` on PATH, from ``obs --version`` (e.g. "29.0.2")."""
    output = subprocess.run(["obs", "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+\.\d+(?:\.\d+)?)", output)
    if found is None:
        raise ObsHarnessError(f"`obs --version` printed no version: {output!r}")
    return found.group(1)


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick, so parallel runs differ)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("", 0))
        return sock.getsockname()[1]


def _kill_group(proc: subprocess.Popen | None) -> None:
    """SIGKILL a process group we started (its own session), ignoring one that is already gone."""
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def decode_png(data: bytes) -> np.ndarray:
    """PNG bytes to RGBA uint8 HxWx4, keeping alpha (a transparent background is a result)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ObsHarnessError("OBS returned a screenshot that is not a decodable PNG.")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGBA)
    if image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGBA)
    return cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)


def is_blank(rgba: np.ndarray) -> bool:
    """True when a screenshot holds nothing yet: fully transparent, or one flat colour."""
    return bool(rgba[..., 3].max() == 0 or np.ptp(rgba[..., :3]) == 0)


class Obs:
    """One real OBS process on its own Xvfb display, HOME and websocket port.

    Attributes:
        workdir: everything of this instance lives here: ``home/`` (OBS config), ``obs.log``
            (stdout+stderr of every run, appended), ``screenshots/`` (every screenshot as PNG),
            ``companion/`` (companion replies).
        client: the ``obsws_python.ReqClient`` connected to this OBS (valid while running).
        port: the websocket port of the current run.
        display: the X display (``":N"``) of the current run.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        scripts: Sequence[Path] = (),
        env: Mapping[str, str] | None = None,
        fps: int = 10,
        width: int = 1280,
        height: int = 720,
        collection: str = "bgremove",
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.home = self.workdir / "home"
        self.log_path = self.workdir / "obs.log"
        self.screenshot_dir = self.workdir / "screenshots"
        self.companion_dir = self.workdir / "companion"
        self.scripts = [COMPANION, *(Path(s).resolve() for s in scripts)]
        self.extra_env = dict(env or {})
        self.fps, self.width, self.height = fps, width, height
        self.collection = collection
        self.client: obsws_python.ReqClient | None = None
        self.port = 0
        self.display = ""
        self.exit_code: int | None = None
        self._obs: subprocess.Popen | None = None
        self._xvfb: subprocess.Popen | None = None
        self._run_log_offset = 0
        self._shots = 0
        self.workdir.mkdir(parents=True, exist_ok=True)
        _live.add(self)

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> Obs:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._obs is not None and self._obs.poll() is None

    @property
    def pid(self) -> int:
        if self._obs is None:
            raise ObsHarnessError("OBS is not running: call start() first.")
        return self._obs.pid

    def pids(self) -> list[int]:
        """Process ids of the current run: OBS, then Xvfb (empty when stopped)."""
        return [proc.pid for proc in (self._obs, self._xvfb) if proc is not None]

    def start(self, timeout: float = HANG_SECONDS) -> None:
        """Start Xvfb and OBS and wait until the websocket answers and the companion has loaded.

        The first start writes global.ini, the profile and the scene collection (with the
        scripts); later starts (``restart``) keep what OBS saved and only pick a new port.
        """
        if self.running:
            raise ObsHarnessError(f"OBS in {self.workdir} is already running.")
        missing = missing_binaries()
        if missing:
            raise ObsHarnessError(f"Cannot start OBS: {', '.join(missing)} not found on PATH.")
        deadline = time.monotonic() + timeout
        try:
            self._start_xvfb(deadline)
            self._write_config()
            self._start_obs()
            self._connect(deadline)
            self._wait_log(COMPANION_READY, deadline)
            self.request("GetVersion")  # returns once OBS has finished loading (see request)
        except BaseException:
            self._kill()
            raise

    def stop(self, timeout: float = HANG_SECONDS) -> int:
        """Stop OBS like File > Exit, kill Xvfb, return OBS's exit code.

        The companion closes the main window from Qt's event loop (see ``companion.py``: OBS
        29.0's SIGINT handler runs the shutdown inside the signal handler and randomly hangs or
        crashes). If OBS cannot be asked, or does not exit within ``timeout``, its whole process
        group is killed and the code is the negative signal number: a failure, never a retry.
        Safe to call twice (the second call returns the same code) and on an instance that never
        started (returns 0).
        """
        if self._obs is None:
            return self.exit_code if self.exit_code is not None else 0
        try:
            if self._obs.poll() is None:
                self._quit(timeout)
            self.exit_code = self._obs.poll()
        finally:
            self._kill()
        return self.exit_code if self.exit_code is not None else -int(signal.SIGKILL)

    def stop_by_signal(self, signum: int, *, group: bool = False, timeout: float = HANG_SECONDS) -> int:
        """Stop OBS with a signal instead of File > Exit, as a user's terminal or session does.

        ``group`` sends it to OBS's whole process group (OBS and its workers), as Ctrl+C in the
        terminal OBS runs in does; otherwise to OBS alone (``kill <pid>``). Returns OBS's exit
        code; an OBS still running after ``timeout`` is killed and gets -SIGKILL.
        """
        assert self._obs is not None, "OBS is not running"
        self._disconnect()
        try:
            if group:
                os.killpg(self._obs.pid, signum)
            else:
                self._obs.send_signal(signum)
            try:
                self._obs.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._append_log(f"harness: OBS still ran {timeout} s after signal {signum}, killed it")
            self.exit_code = self._obs.poll()
        finally:
            self._kill()
        return self.exit_code if self.exit_code is not None else -int(signal.SIGKILL)

    def _quit(self, timeout: float) -> None:
        """Ask the companion to close the main window and wait for OBS to exit."""
        assert self._obs is not None
        try:
            self._companion("quit", timeout)
        except ObsHarnessError as exc:
            self._append_log(f"harness: could not ask OBS to quit ({exc}); killing it")
            return
        self._disconnect()
        try:
            self._obs.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._append_log(f"harness: OBS did not exit within {timeout} s of File > Exit, killed it")

    def restart(self, timeout: float = HANG_SECONDS) -> None:
        """Stop gracefully and start again on the same HOME, so what OBS saved is loaded back."""
        code = self.stop(timeout)
        if code != 0:
            raise ObsHarnessError(
                f"OBS exited with code {code} before the restart; its log ends with:\n" + self.log_tail()
            )
        self.start(timeout)

    def assert_clean_exit(self, timeout: float = HANG_SECONDS) -> None:
        """Stop OBS and assert it exited with 0 and reported no memory leaks in this run."""
        code = self.stop(timeout)
        run_log = self.run_log
        assert code == 0, f"OBS exited with code {code}; log ends with:\n{self.log_tail()}"
        assert CLEAN_EXIT_LINE in run_log, (
            f"OBS did not report '{CLEAN_EXIT_LINE}' on exit; log ends with:\n{self.log_tail()}"
        )

    # ------------------------------------------------------------------ logs
    @property
    def log(self) -> str:
        """OBS stdout+stderr of every run so far (script log lines are there too)."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @property
    def run_log(self) -> str:
        """The part of :attr:`log` written by the current (or last) run only."""
        return self.log[self._run_log_offset :]

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.log.splitlines()[-lines:])

    def script_errors(self) -> list[str]:
        """Log lines of this run in which a Python script reported an error or traceback."""
        return [line for line in self.run_log.splitlines() if line.startswith(SCRIPT_ERROR_PREFIXES)]

    def assert_no_script_errors(self) -> None:
        errors = self.script_errors()
        assert not errors, "Python script errors in OBS's log:\n" + "\n".join(errors)

    def wait_log(self, text: str, timeout: float = HANG_SECONDS, count: int = 1) -> None:
        """Wait until ``text`` occurs ``count`` times in this run's log."""
        self._wait_log(text, time.monotonic() + timeout, count)

    # ------------------------------------------------------------------ websocket requests
    def request(self, request_type: str, data: Mapping[str, Any] | None = None) -> dict:
        """Send any obs-websocket 5 request and return its raw responseData (``{}`` if none)."""
        if self.client is None:
            raise ObsHarnessError("OBS is not running: call start() first.")
        deadline = time.monotonic() + NOT_READY_SECONDS
        while True:
            try:
                response = self._send(request_type, data)
            except obsws_python.error.OBSSDKRequestError as exc:
                if exc.code != NOT_READY or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
            else:
                return response or {}

    def version(self) -> str:
        """The running OBS's version as obs-websocket reports it, e.g. "29.0.2"."""
        return str(self.request("GetVersion")["obsVersion"])

    def _send(self, request_type: str, data: Mapping[str, Any] | None) -> dict | None:
        assert self.client is not None
        try:
            return self.client.send(request_type, dict(data) if data else None, raw=True)
        except (OSError, websocket.WebSocketException) as exc:
            # A dead OBS resets the socket before it can be reaped: give it a moment to show up.
            if self._obs is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._obs.wait(timeout=DEATH_GRACE_SECONDS)
            self._check_alive(f"during the request {request_type}")
            raise ObsHarnessError(f"The websocket request {request_type} failed: {exc}") from exc

    def add_media(self, name: str, path: Path, *, looping: bool = True) -> None:
        """Add an ``ffmpeg_source`` playing a local file to the scene (at its native size)."""
        settings = {"is_local_file": True, "local_file": str(Path(path).resolve()), "looping": looping}
        self._create_input(name, "ffmpeg_source", settings)

    def add_image(self, name: str, path: Path) -> None:
        """Add an ``image_source`` showing a local image file to the scene."""
        self._create_input(name, "image_source", {"file": str(Path(path).resolve())})

    def fit_to_canvas(self, source: str) -> None:
        """Scale a scene item to fill the canvas (keeping aspect), as a streamer would."""
        item = self.request("GetSceneItemId", {"sceneName": SCENE, "sourceName": source})
        transform = {
            "boundsType": "OBS_BOUNDS_SCALE_INNER",
            "boundsAlignment": 0,
            "boundsWidth": float(self.width),
            "boundsHeight": float(self.height),
            "positionX": 0.0,
            "positionY": 0.0,
        }
        self.request(
            "SetSceneItemTransform",
            {"sceneName": SCENE, "sceneItemId": item["sceneItemId"], "sceneItemTransform": transform},
        )

    def add_filter(
        self, source: str, name: str, kind: str, settings: Mapping[str, Any] | None = None
    ) -> None:
        self.request(
            "CreateSourceFilter",
            {
                "sourceName": source,
                "filterName": name,
                "filterKind": kind,
                "filterSettings": dict(settings or {}),
            },
        )

    def set_filter_settings(
        self,
        source: str,
        name: str,
        settings: Mapping[str, Any],
        *,
        overlay: bool = True,
        settle: bool = True,
    ) -> None:
        """Change a filter's settings; ``overlay=False`` resets the keys not given to defaults.

        libobs applies a filter's update on the graphics thread's next tick, so a screenshot
        taken right away can still show the old settings: with ``settle`` (default) this returns
        only after :data:`SETTLE_FRAMES` more frames have been rendered.
        """
        self.request(
            "SetSourceFilterSettings",
            {"sourceName": source, "filterName": name, "filterSettings": dict(settings), "overlay": overlay},
        )
        if settle:
            self.wait_frames(SETTLE_FRAMES)

    def filter_settings(self, source: str, name: str) -> dict:
        """The filter's stored settings (only keys set explicitly; defaults are not included)."""
        reply = self.request("GetSourceFilter", {"sourceName": source, "filterName": name})
        return dict(reply["filterSettings"])

    def set_filter_enabled(self, source: str, name: str, enabled: bool) -> None:
        self.request(
            "SetSourceFilterEnabled", {"sourceName": source, "filterName": name, "filterEnabled": enabled}
        )

    def remove_filter(self, source: str, name: str) -> None:
        self.request("RemoveSourceFilter", {"sourceName": source, "filterName": name})

    def screenshot(self, source: str, width: int | None = None, height: int | None = None) -> np.ndarray:
        """The source as OBS renders it (with its filters), RGBA uint8 HxWx4, alpha kept.

        Without width/height OBS uses the source's own size. Every screenshot is also saved as
        ``screenshots/NNN_<source>.png`` so a failing test leaves the actual images behind.
        """
        data: dict[str, Any] = {"sourceName": source, "imageFormat": "png"}
        if width is not None:
            data["imageWidth"] = width
        if height is not None:
            data["imageHeight"] = height
        encoded = self.request("GetSourceScreenshot", data)["imageData"]
        png = base64.b64decode(encoded.split(",", 1)[1])
        self._shots += 1
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in source)
        (self.screenshot_dir / f"{self._shots:03d}_{safe}.png").write_bytes(png)
        return decode_png(png)

    def save_image(self, name: str, rgba: np.ndarray) -> Path:
        """Save an RGBA (or RGB) image next to the screenshots, e.g. an expected or diff image."""
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.screenshot_dir / f"{name}.png"
        code = cv2.COLOR_RGBA2BGRA if rgba.ndim == 3 and rgba.shape[2] == 4 else cv2.COLOR_RGB2BGR
        cv2.imwrite(str(path), cv2.cvtColor(rgba, code) if rgba.ndim == 3 else rgba)
        return path

    def wait_rendering(
        self,
        source: str,
        timeout: float = HANG_SECONDS,
        ready: Callable[[np.ndarray], bool] | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> np.ndarray:
        """Screenshot ``source`` until ``ready(rgba)`` (default: not blank) and return that image."""
        accept = ready or (lambda rgba: not is_blank(rgba))
        deadline = time.monotonic() + timeout
        while True:
            try:
                rgba = self.screenshot(source, width, height)
            except obsws_python.error.OBSSDKRequestError as exc:
                if exc.code != SCREENSHOT_NOT_READY:
                    raise
            else:
                if accept(rgba):
                    return rgba
            if time.monotonic() > deadline:
                raise ObsHarnessError(
                    f"Source '{source}' did not render as expected within {timeout} s; last "
                    f"screenshot saved in {self.screenshot_dir}; log ends with:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def stats(self) -> dict:
        """GetStats: averageFrameRenderTime (ms), renderTotalFrames, renderSkippedFrames, ..."""
        return self.request("GetStats")

    def wait_frames(self, n: int, timeout: float | None = None) -> None:
        """Let ``n`` more frames be rendered (polls GetStats renderTotalFrames)."""
        limit = timeout if timeout is not None else HANG_SECONDS + n / self.fps
        target = self.stats()["renderTotalFrames"] + n
        deadline = time.monotonic() + limit
        while self.stats()["renderTotalFrames"] < target:
            if time.monotonic() > deadline:
                raise ObsHarnessError(f"OBS rendered fewer than {n} frames in {limit:.0f} s.")
            time.sleep(min(0.5, 1 / self.fps))

    # ------------------------------------------------------------------ process metrics
    def cpu_seconds(self) -> float:
        """CPU time (user + system) the OBS process has used so far, from /proc/<pid>/stat."""
        return cpu_seconds(self.pid)

    def children_cpu_seconds(self) -> float:
        """CPU time used so far by OBS's live descendant processes (e.g. filter workers)."""
        return sum(cpu_seconds(pid) for pid in descendants(self.pid))

    def rss_bytes(self) -> int:
        """Resident memory of the OBS process, from /proc/<pid>/statm."""
        pages = int(Path(f"/proc/{self.pid}/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")

    # ------------------------------------------------------------------ companion commands
    def filter_kinds(self, timeout: float = HANG_SECONDS) -> list[str]:
        """Ids of every filter type registered in OBS right now (built-in and scripted)."""
        return list(self._companion("filter_kinds", timeout)["kinds"])

    def reload_scripts(self, timeout: float = HANG_SECONDS) -> list[str]:
        """Reload every loaded script like the Scripts dialog's Reload button; return their files.

        Runs ``obs_script_reload`` on OBS's UI thread for each script module except the companion.
        Raises if a script failed to load again (its traceback is in :attr:`log`).
        """
        scripts = self._companion("reload_scripts", timeout)["scripts"]
        failed = [s["file"] for s in scripts if not s["loaded"]]
        if failed:
            raise ObsHarnessError(
                f"Script(s) {', '.join(failed)} did not load again after the reload; log ends "
                f"with:\n{self.log_tail()}"
            )
        return [s["file"] for s in scripts]

    def press_setup(self, timeout: float = HANG_SECONDS) -> list[str]:
        """Press the Set up bgremove button in Tools > Scripts, as a user clicks it (UI thread);
        return the file names of the scripts whose panel had it."""
        return list(self._companion("press_setup", timeout)["pressed"])

    def start_capture(self, timeout: float = HANG_SECONDS) -> None:
        """Record every frame OBS outputs from now on (the companion's raw video callback)."""
        self._companion("capture_start", timeout)

    def stop_capture(self, timeout: float = HANG_SECONDS) -> np.ndarray:
        """Every frame OBS output since :meth:`start_capture`, ``(n, height, width, 4)`` RGBA at
        the companion's capture size, memory-mapped from the capture file."""
        reply = self._companion("capture_stop", timeout)
        width, height = reply["size"]
        shape = (reply["frames"], height, width, 4)
        return np.memmap(self.companion_dir / "capture.rgba", np.uint8, "r", shape=shape)

    # ------------------------------------------------------------------ internals
    def _create_input(self, name: str, kind: str, settings: Mapping[str, Any]) -> None:
        self.request(
            "CreateInput",
            {
                "sceneName": SCENE,
                "inputName": name,
                "inputKind": kind,
                "inputSettings": dict(settings),
                "sceneItemEnabled": True,
            },
        )

    def _companion(self, command: str, timeout: float) -> dict:
        reply = self.companion_dir / f"{command}.json"
        reply.unlink(missing_ok=True)
        self.request("TriggerHotkeyByName", {"hotkeyName": f"bgremove_companion.{command}"})
        deadline = time.monotonic() + timeout
        while not reply.exists():
            self._check_alive(f"before the companion answered '{command}'")
            if time.monotonic() > deadline:
                raise ObsHarnessError(
                    f"The companion script did not answer '{command}' within {timeout} s; log "
                    f"ends with:\n{self.log_tail()}"
                )
            time.sleep(0.05)
        payload = json.loads(reply.read_text(encoding="utf-8"))
        if "error" in payload:
            raise ObsHarnessError(f"The companion script failed '{command}': {payload['error']}")
        return payload

    def _start_xvfb(self, deadline: float) -> None:
        """Xvfb picks a free display itself (-displayfd), so parallel runs never collide."""
        read_fd, write_fd = os.pipe()
        try:
            with (self.workdir / "xvfb.log").open("ab") as log:
                self._xvfb = subprocess.Popen(
                    [
                        "Xvfb",
                        "-displayfd",
                        str(write_fd),
                        "-screen",
                        "0",
                        XVFB_SCREEN,
                        "-nolisten",
                        "tcp",
                        "-noreset",
                    ],
                    pass_fds=(write_fd,),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            os.close(write_fd)
            write_fd = -1
            number = b""
            while not number.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                ready, _, _ = select.select([read_fd], [], [], max(0.0, remaining))
                chunk = os.read(read_fd, 64) if ready else b""
                if not chunk:
                    raise ObsHarnessError(
                        f"Xvfb did not report its display number; see {self.workdir / 'xvfb.log'}."
                    )
                number += chunk
            self.display = ":" + number.decode().strip()
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)

    def _write_config(self) -> None:
        config = self.home / ".config" / "obs-studio"
        self.port = free_port()
        first_start = not (config / "global.ini").exists()
        write_start_config(config, port=self.port, collection=self.collection)
        if first_start:
            write_first_config(
                config,
                collection=self.collection,
                scripts=self.scripts,
                width=self.width,
                height=self.height,
                fps=self.fps,
            )

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_") and k not in DROPPED_ENV}
        # No session bus: GLib in OBS would otherwise autolaunch a dbus daemon that outlives us.
        env.setdefault("DBUS_SESSION_BUS_ADDRESS", "disabled:")
        env.update(
            HOME=str(self.home),
            DISPLAY=self.display,
            BGREMOVE_VENV=sys.prefix,
            BGREMOVE_COMPANION_DIR=str(self.companion_dir),
        )
        env.update(self.extra_env)
        return env

    def _start_obs(self) -> None:
        self._run_log_offset = len(self.log)
        self._append_log(f"harness: starting OBS on display {self.display}, port {self.port}")
        command = [
            "obs",
            "--disable-shutdown-check",
            "--multi",
            "--collection",
            self.collection,
            "--profile",
            PROFILE,
        ]
        with self.log_path.open("ab") as log:
            self._obs = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.exit_code = None

    def _connect(self, deadline: float) -> None:
        """Connect once THIS OBS logged that it listens on our port.

        Waiting for the log line rather than probing the port guarantees we never talk to another
        process that grabbed the same port between ``free_port()`` and OBS's bind.
        """
        self._wait_log(WEBSOCKET_STARTED.format(port=self.port), deadline)
        self.client = obsws_python.ReqClient(host="127.0.0.1", port=self.port, password="", timeout=30)

    def _wait_log(self, text: str, deadline: float, count: int = 1) -> None:
        while self.run_log.count(text) < count:
            self._check_alive(f"while waiting for '{text}' in its log")
            if time.monotonic() > deadline:
                raise ObsHarnessError(
                    f"'{text}' did not appear {count} time(s) in OBS's log in time; log ends "
                    f"with:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def _check_alive(self, when: str) -> None:
        if self._obs is not None and self._obs.poll() is not None:
            raise ObsHarnessError(
                f"OBS exited with code {self._obs.returncode} {when}; log ends with:\n" + self.log_tail()
            )

    def _append_log(self, line: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")

    def _disconnect(self) -> None:
        if self.client is not None:
            with contextlib.suppress(OSError):
                self.client.disconnect()
            self.client = None

    def _kill(self) -> None:
        """Leave no process behind: OBS's and Xvfb's whole process groups."""
        self._disconnect()
        for attribute in ("_obs", "_xvfb"):
            proc = getattr(self, attribute)
            if proc is not None and proc.poll() is None and attribute == "_xvfb":
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
            _kill_group(proc)
            if attribute == "_obs" and proc is not None and self.exit_code is None:
                self.exit_code = proc.returncode
            setattr(self, attribute, None)


@atexit.register
def _kill_leftovers() -> None:
    """Last line of defence (e.g. Ctrl+C during a test): no OBS or Xvfb outlives the runner."""
    for obs in list(_live):
        obs._kill()
