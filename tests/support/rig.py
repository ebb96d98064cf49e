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
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from bgremove_obs.wire.channel import Channel
from bgremove_obs.wire.protocol import MaskMeta, SettingsMeta, parse

from .images import share
from .obs import SETTLE_FRAMES, Obs
from .paths import PROBE, SCRIPT
from .procs import HANG_SECONDS, process_alive, wait_until

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
SETTLED_MASKS = 3
"""Masks made with the newest settings before a picture counts as settled: the refiner's temporal
smoothing has converged on a still picture by then."""


def composites(settings: dict) -> Callable[[np.ndarray], bool]:
    """A ``ready`` test for ``wait_rendering``: most of the picture is this colour-mode's colour."""
    rgb = COLOURS[settings["colour"]]
    return lambda rgba: share(rgba, rgb) > BACKGROUND_SHARE


def passes_through(rgba: np.ndarray, settings: dict) -> bool:
    """The picture shows (almost) none of this colour-mode's colour: the filter is not compositing."""
    return share(rgba, COLOURS[settings["colour"]]) < PASS_THROUGH_SHARE


def worker_pids(obs: Obs) -> list[int]:
    """Every worker this OBS run started, in order (restarts included), from the log."""
    return [int(pid) for pid in WORKER_STARTED.findall(obs.run_log)]


def wait_gone(pid: int, what: str = "the worker's exit") -> None:
    wait_until(lambda: not process_alive(pid), HANG_SECONDS, what)


@contextmanager
def worker_channel(pid: int) -> Iterator[Channel]:
    """The shared-memory channel of a running worker (its last command-line argument)."""
    arguments = [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    channel = Channel.open(Path(arguments[-1].decode()))
    try:
        yield channel
    finally:
        channel.close()


def settled_masks(obs: Obs, worker: int | None = None, deadline: float = HANG_SECONDS) -> None:
    """Return once the filter draws masks made with its newest settings.

    The worker's own signal, not two equal screenshots: every mask message carries the settings
    generation it was made with (:class:`~bgremove_obs.wire.protocol.MaskMeta`). Wait for
    :data:`SETTLED_MASKS` masks of the generation the filter last published, then let OBS render
    :data:`~tests.support.obs.SETTLE_FRAMES` frames so the newest one is on the GPU. ``worker``
    defaults to the last worker this OBS run started.
    """
    pid = worker if worker is not None else worker_pids(obs)[-1]
    with worker_channel(pid) as channel:
        sent = channel.settings.read(again=True)
        target = parse(SettingsMeta, sent.meta).generation if sent is not None else 0
        first: list[int] = []

        def caught_up() -> bool:
            message = channel.masks.read(again=True)
            if message is None or parse(MaskMeta, message.meta).settings_generation < target:
                return False
            first[:1] = first[:1] or [message.number]
            return message.number >= first[0] + SETTLED_MASKS - 1

        wait_until(caught_up, deadline, f"{SETTLED_MASKS} masks made with settings generation {target}")
    obs.wait_frames(SETTLE_FRAMES)


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
    def panel(self, source: str, name: str, timeout: float = HANG_SECONDS) -> list[str]:
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

    def wait_panel(self, source: str, name: str, text: str, timeout: float = HANG_SECONDS) -> list[str]:
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
