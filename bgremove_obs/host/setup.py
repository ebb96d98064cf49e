"""The installer run from OBS's Scripts panel (the Set up bgremove button), in the background.

The button is pressed on OBS's UI thread, which must never wait: the installer
(``install/install.py``) runs as a child process with OBS's own Python, the interpreter the venv
has to match (inside OBS ``sys.executable`` is OBS itself, so it is found from
``sys.base_prefix``). A daemon thread reads its output line by line and, once the installer has
exited, calls ``on_finished``; the panel shows :attr:`Setup.status`, and
:mod:`bgremove_obs.host.script` hands the new environment to the filter when :attr:`Setup.succeeded`.
Standard library only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from bgremove_core import systems

from .supervisor import CREATION_FLAGS, DROPPED_ENV

INSTALLER = Path(__file__).resolve().parents[2] / "install" / "install.py"
FAILED_PREFIX = "bgremove install: "
"""How the installer starts its one-sentence refusal (see :mod:`bgremove_obs.host.installer`)."""


def installer_command() -> list[str]:
    """OBS's own Python running the installer."""
    python = systems.base_interpreter(Path(sys.base_prefix), (sys.version_info[0], sys.version_info[1]))
    return [str(python), str(INSTALLER)]


class Setup:
    """One installer run.

    Args:
        command: What to run (:func:`installer_command`).
        log: Receives every line of the installer's output (OBS's log), from the reading thread.
        on_finished: Called once from the reading thread after the installer has exited (not
            when it could not be started: :attr:`failure` says so at once).
    """

    def __init__(
        self, command: Sequence[str], log: Callable[[str], None], on_finished: Callable[[], None]
    ) -> None:
        self._log = log
        self._on_finished = on_finished
        self.last_line = "Starting the installer ..."
        self.failure = ""
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env["PYTHONUNBUFFERED"] = "1"
        try:
            self._process: subprocess.Popen[str] | None = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                env=env,
                creationflags=CREATION_FLAGS,
            )
        except OSError as error:
            self._process = None
            self.failure = f"The installer could not be started with {command[0]}: {error}."
            return
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.rstrip()
            if not line:
                continue
            self._log(f"setup: {line}")
            if line.startswith(FAILED_PREFIX):
                self.failure = line.removeprefix(FAILED_PREFIX)
            self.last_line = line
        self._process.wait()
        self._on_finished()

    @property
    def pid(self) -> int | None:
        """The installer's process id (None when it could not be started)."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def succeeded(self) -> bool:
        return self._process is not None and self._process.poll() == 0

    @property
    def status(self) -> str:
        """One sentence for the panel: progress, the outcome, or what went wrong."""
        if self.running:
            return f"Setting up bgremove (a few minutes; OBS keeps working): {self.last_line}"
        if self.succeeded:
            return "bgremove is set up: add the Background Remover filter to any video source."
        if self.failure:
            return f"Set up failed: {self.failure}"
        code = self._process.poll() if self._process is not None else None
        return f"Set up failed (exit code {code}); the details are in OBS's log (Help > Log Files)."
