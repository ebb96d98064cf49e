"""One real OBS with the product script and the probe, plus what the reliability tests observe.

Besides screenshots and OBS's log, the tests look at the filter from outside the way an
operator would: worker processes (pids from the log, RSS and liveness from ``/proc``), the
shared-memory channel of a worker (opened read-only from its command line, to count masks the
worker published), and the properties panel's messages (through ``probe.py``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
from harness import Obs

from bgremove_obs.channel import Channel

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "obs_bgremove.py"
PROBE = Path(__file__).resolve().with_name("probe.py")
KIND = "bgremove_filter"
GREEN = {"background": "colour", "colour": "#00FF00", "light_wrap": 0.0}
BLUE = {"background": "colour", "colour": "#0000FF", "light_wrap": 0.0}
RED = {"background": "colour", "colour": "#FF0000", "light_wrap": 0.0}
COLOURS = {"#00FF00": (0, 255, 0), "#0000FF": (0, 0, 255), "#FF0000": (255, 0, 0)}
BACKGROUND_SHARE = 0.6
"""The person covers well under 40% of the lucia clip: above this share of the background colour
the filter is compositing; below PASS_THROUGH_SHARE it is not."""
PASS_THROUGH_SHARE = 0.05
WORKER_STARTED = re.compile(r"worker started \(pid (\d+)\)")


def share(rgba: np.ndarray, rgb: tuple[int, int, int]) -> float:
    """Fraction of pixels within 12 levels of a colour."""
    return float((np.abs(rgba[..., :3].astype(np.int16) - rgb).max(axis=-1) <= 12).mean())


def composites(settings: dict) -> Callable[[np.ndarray], bool]:
    """A ``ready`` test for ``wait_rendering``: most of the picture is this colour-mode's colour."""
    rgb = COLOURS[settings["colour"]]
    return lambda rgba: share(rgba, rgb) > BACKGROUND_SHARE


def process_alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def rss_bytes(pid: int) -> int:
    """Resident memory of any process, from /proc/<pid>/statm (0 once it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll until ``condition()`` is truthy; return the seconds it took, or fail saying ``what``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start


def make_clip(source: Path, target: Path, width: int, height: int, fps: int | None = None) -> Path:
    """The real clip transcoded to another size (and frame rate). x264 4:4:4 allows odd sizes:
    OBS gets I444 frames from those, I420 from the even (4:2:0) ones."""
    even = width % 2 == 0 and height % 2 == 0
    filters = f"scale={width}:{height}" + (f",fps={fps}" if fps else "")
    subprocess.run(
        ["ffmpeg", "-y", "-loglevel", "error", "-i", str(source), "-vf", filters, "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p" if even else "yuv444p", "-an", str(target)],
        check=True,
    )  # fmt: skip
    return target


def worker_pids(obs: Obs) -> list[int]:
    """Every worker this OBS run started, in order (restarts included), from the log."""
    return [int(pid) for pid in WORKER_STARTED.findall(obs.run_log)]


def worker_channel(pid: int) -> Channel:
    """The shared-memory channel of a running worker (its last command-line argument)."""
    arguments = [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    return Channel.open(Path(arguments[-1].decode()))


class Rig:
    """An :class:`Obs` running the product script and the probe, and what to observe in it."""

    def __init__(self, obs: Obs, probe_dir: Path) -> None:
        self.obs = obs
        self._probe_dir = probe_dir

    @classmethod
    def start(cls, factory: Callable[..., Obs], name: str = "obs", **kwargs: object) -> Rig:
        """Start OBS through the ``obs_factory`` fixture (which stops it at teardown)."""
        obs = factory(name, start=False, scripts=[SCRIPT, PROBE], **kwargs)
        probe_dir = obs.workdir / "probe"
        obs.extra_env["BGREMOVE_PROBE_DIR"] = str(probe_dir)
        obs.start()
        obs.wait_log("bgremove probe ready")
        return cls(obs, probe_dir)

    # ------------------------------------------------------------------ workers
    def worker_pids(self) -> list[int]:
        return worker_pids(self.obs)

    def live_workers(self) -> list[int]:
        return [pid for pid in self.worker_pids() if process_alive(pid)]

    # ------------------------------------------------------------------ properties panel
    def panel(self, source: str, name: str, timeout: float = 20) -> list[str]:
        """The message lines at the top of the filter's properties, as the Filters dialog shows."""
        key = uuid.uuid4().hex
        request = self._probe_dir / f"{key}.request"
        reply = self._probe_dir / f"{key}.json"
        partial = request.with_suffix(".asking")  # the probe must never read half a request
        partial.write_text(json.dumps({"source": source, "filter": name}), encoding="utf-8")
        os.replace(partial, request)
        wait_until(reply.exists, timeout, f"the probe's answer about {source}/{name}")
        answer = json.loads(reply.read_text(encoding="utf-8"))
        reply.unlink()
        if "error" in answer:
            raise AssertionError(f"The probe could not read {source}/{name}: {answer['error']}")
        return list(answer["messages"])

    def wait_panel(self, source: str, name: str, text: str, timeout: float = 20) -> list[str]:
        """Wait until one of the filter's panel messages contains ``text``; return them all."""
        found: list[str] = []

        def shown() -> bool:
            found[:] = self.panel(source, name)
            return any(text in line for line in found)

        try:
            wait_until(shown, timeout, f"'{text}' in the properties of {source}/{name}", interval=0.3)
        except AssertionError as error:
            raise AssertionError(f"{error}; the panel shows {found}") from None
        return found
