"""Real headless Chromium, driven through Debian's chromedriver over the W3C WebDriver protocol.

The protocol is JSON over HTTP, and the handful of commands the studio tests need (open a page,
run a script, pick files, click, screenshot) are a few lines each with the standard library, so
no WebDriver package (and nothing it might download) is involved. Chromium starts with a fresh
profile and without background networking: the machine has no internet, and Chromium's update,
sync and QUIC probes would otherwise fill the logs with refused connections.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .procs import wait_until

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
"""The key under which WebDriver returns an element reference."""


def missing() -> list[str]:
    """The browser programs that are not installed (install/system-deps.sh installs both)."""
    return [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """One chromedriver and one Chromium session; :meth:`quit` ends both."""

    def __init__(self, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.downloads = workdir / "downloads"
        self.downloads.mkdir(exist_ok=True)
        self.log_path = workdir / "chromedriver.log"
        port = free_port()
        self._base = f"http://127.0.0.1:{port}"
        with self.log_path.open("w") as log:
            self._driver = subprocess.Popen(
                [str(shutil.which("chromedriver")), f"--port={port}"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._ready, what="chromedriver to answer")
        options = {
            "binary": shutil.which("chromium"),
            "args": [*CHROMIUM_ARGS, f"--user-data-dir={workdir / 'profile'}"],
            "prefs": {
                "download.default_directory": str(self.downloads),
                "download.prompt_for_download": False,
            },
        }
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        self._session = self._call("POST", "/session", {"capabilities": capabilities})["sessionId"]
        self._cdp("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(self.downloads))

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self._base}/status", timeout=5) as reply:
                return bool(json.load(reply)["value"]["ready"])
        except OSError:
            return False

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self._base}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:
                return json.load(reply)["value"]
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"WebDriver {method} {path} failed: {exc.read().decode()[:2000]}") from exc

    def _session_call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"/session/{self._session}{path}", body)

    def _cdp(self, command: str, **params: Any) -> Any:
        return self._session_call("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def open(self, url: str) -> None:
        """Load ``url`` and wait until it has loaded."""
        self._session_call("POST", "/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body; ``arguments`` holds ``args``) in the page; its return value."""
        return self._session_call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script: str, *args: Any) -> Any:
        """Run ``script``, which calls ``arguments[arguments.length - 1](value)`` when done; the value."""
        return self._session_call("POST", "/execute/async", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        """The element ``css`` selects (fails if none does)."""
        return str(self._session_call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT])

    def choose_files(self, css: str, *paths: Path) -> None:
        """Pick ``paths`` in the file input ``css``, as a user does in the file dialog."""
        self._session_call("POST", f"/element/{self.find(css)}/value", {"text": "\n".join(map(str, paths))})

    def click(self, css: str) -> None:
        """Click the element ``css`` selects."""
        self._session_call("POST", f"/element/{self.find(css)}/click", {})

    def screenshot(self, path: Path) -> None:
        """Save the window as a PNG."""
        path.write_bytes(base64.b64decode(self._session_call("GET", "/screenshot")))

    def resize(self, width: int, height: int) -> None:
        """Set the window size (screenshots show the whole page at a chosen size)."""
        self._session_call("POST", "/window/rect", {"width": width, "height": height})

    def quit(self) -> None:
        """End the session and chromedriver (Chromium goes with the session)."""
        try:
            self._session_call("DELETE", "")
        finally:
            self._driver.terminate()
            self._driver.wait(timeout=60)
