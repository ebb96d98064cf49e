"""A real ``bgremove studio`` in a child process, and its HTTP API as the page calls it.

The studio runs as the user runs it (``python -m bgremove_core.cli studio``), so killing it
(SIGKILL) or stopping it (Ctrl-C) is the real thing. The address is read from the line it
prints; the token from the page it serves, as the browser gets it. ``DISPLAY`` is removed from
its environment, so "show in folder" takes the headless path and never opens a file manager.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .procs import wait_until

ADDRESS = re.compile(r"open (http://\S+/) ")
STUDIO = (sys.executable, "-m", "bgremove_core.cli", "studio")
TOKEN = re.compile(r'name="studio-token" content="([^"]+)"')


class Studio:
    """One studio process on a free port, with its folder; :meth:`stop` or :meth:`kill` ends it."""

    def __init__(self, folder: Path, *args: object, prefix: tuple[str, ...] = ()) -> None:
        """``prefix``: a command to run the studio under (``strace ...``)."""
        self.folder = folder
        self.prefix = prefix
        self.args = [str(a) for a in args]
        self.lines: list[str] = []
        self.url = ""
        self.token = ""
        self._proc: subprocess.Popen[str] | None = None
        self._reader = threading.Thread()

    @property
    def output(self) -> Path:
        """The results folder (the default, inside the studio folder)."""
        return self.folder / "output"

    def start(self) -> Studio:
        """Start it and wait until it serves its page."""
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # the checkout's own __pycache__ is not the studio's doing
        self.lines = []
        self._proc = subprocess.Popen(
            [*self.prefix, *STUDIO, "--folder", str(self.folder), "--port", "0", "--no-browser", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,  # its own process group, which Ctrl-C (stop) signals as a terminal does
        )
        self._reader = threading.Thread(target=self._read, args=(self._proc,), daemon=True)
        self._reader.start()
        wait_until(lambda: self._address() or self._proc.poll() is not None, what="the studio to start")
        assert self._proc.poll() is None, "the studio exited:\n" + "".join(self.lines)
        self.url = self._address()
        page = urllib.request.urlopen(self.url, timeout=30).read().decode()
        self.token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
        return self

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                self.lines.append(line)

    def _address(self) -> str:
        found = next((ADDRESS.search(line) for line in self.lines if ADDRESS.search(line)), None)
        return found.group(1) if found else ""

    @property
    def pid(self) -> int:
        """The studio's process id."""
        assert self._proc is not None
        return self._proc.pid

    def request(
        self,
        path: str,
        body: Any = None,
        *,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        token: bool = True,
    ) -> tuple[int, Any]:
        """(status, decoded JSON or raw bytes) of one API call; a dict body is sent as JSON."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        request = urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method)
        if token:
            request.add_header("X-Studio-Token", self.token)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:
                status, raw, kind = reply.status, reply.read(), reply.headers.get("content-type", "")
        except urllib.error.HTTPError as exc:
            status, raw, kind = exc.code, exc.read(), exc.headers.get("content-type", "")
        return status, json.loads(raw) if kind.startswith("application/json") else raw

    def state(self) -> dict[str, Any]:
        """The page's view of uploads and jobs."""
        status, state = self.request("api/state")
        assert status == 200, state
        return state

    def jobs(self) -> dict[int, dict[str, Any]]:
        """Every job by id."""
        return {job["id"]: job for job in self.state()["jobs"]}

    def kill(self) -> None:
        """SIGKILL: what a crash, the OOM killer or a power cut does."""
        assert self._proc is not None
        self._proc.kill()
        self._proc.wait(timeout=60)
        self._reader.join()

    def stop(self) -> int:
        """Ctrl-C (to its process group, its ffmpeg children included), then wait; its exit code."""
        assert self._proc is not None
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGINT)
        code = self._proc.wait(timeout=120)
        self._reader.join()
        return code
