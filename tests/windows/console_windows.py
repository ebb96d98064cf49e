"""Which console programs started by a windowed program get a console window (Windows only).

Run by ``tests/windows`` with ``pythonw.exe``, a windowed program like OBS, on an X display (Wine
draws console windows only where it has one). Writes to the JSON file named by its argument, for
each child, whether its console has a visible window: seen from outside the child by attaching
to its console (``AttachConsole``, ``GetConsoleWindow``, ``IsWindowVisible``).

- ``plain child``: a console program started with no creation flags, the control: Windows (and
  Wine) opens a console window for it, so the check can see one.
- ``installer``: the Set up button's installer process, started by :class:`bgremove_obs.host.setup.Setup`.
- ``worker``: the filter's worker, started by :class:`bgremove_obs.host.supervisor.WorkerProcess`.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bgremove_obs.host.setup import Setup
from bgremove_obs.host.supervisor import WorkerProcess

ATTACH_SECONDS = 90.0
"""Deadline for a child's console to exist (a Python start under Wine on a busy machine): only
catches a hang."""
PYTHON = Path(sys.executable).with_name("python.exe")
CODE_ROOT = Path(__file__).resolve().parents[2]
WAITING_CHILD = [str(PYTHON), "-c", "import time; time.sleep(300)"]


def has_console_window(pid: int) -> bool:
    """Whether the console of process ``pid`` has a visible window; waits until it has a console."""
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    deadline = time.monotonic() + ATTACH_SECONDS
    while not kernel32.AttachConsole(pid):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Process {pid} had no console to attach to within {ATTACH_SECONDS} s.")
        time.sleep(0.2)
    try:
        window = kernel32.GetConsoleWindow()
        return bool(window) and bool(ctypes.windll.user32.IsWindowVisible(window))  # type: ignore[attr-defined]
    finally:
        kernel32.FreeConsole()


def main(report: Path) -> None:
    seen = {}
    plain = subprocess.Popen(WAITING_CHILD)
    try:
        seen["plain child"] = has_console_window(plain.pid)
    finally:
        plain.kill()
    setup = Setup(WAITING_CHILD, lambda _line: None, lambda: None)
    assert setup.pid is not None, setup.failure
    try:
        seen["installer"] = has_console_window(setup.pid)
    finally:
        os.kill(setup.pid, signal.SIGTERM)  # TerminateProcess on Windows
    worker = WorkerProcess(PYTHON, CODE_ROOT, lambda _line: None)
    assert worker.pid is not None, worker.exit_reason
    try:
        seen["worker"] = has_console_window(worker.pid)
    finally:
        worker.close()
    report.write_text(json.dumps(seen), encoding="utf-8")


if __name__ == "__main__":
    target = Path(sys.argv[1])
    try:
        main(target)
    except BaseException:  # pythonw.exe has no stderr: the test reads the traceback here
        target.write_text(json.dumps({"error": traceback.format_exc()}), encoding="utf-8")
        raise
