"""Waiting for states and looking at processes from outside (``/proc``), for tests and benches.

A test waits for a state, never for a time: :func:`wait_until` polls a condition until a deadline
that only catches hangs. :data:`HANG_SECONDS` is that deadline for anything a loaded 2-core
machine does in well under a minute (a worker start, a watchdog firing, a restart); how long the
thing really takes is measured by a benchmark in ``bench/``, not asserted here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HANG_SECONDS = 90.0
"""Generous deadline: past it, something hangs (never a speed limit)."""


def wait_until(
    condition: Callable[[], object],
    deadline: float = HANG_SECONDS,
    what: str = "the condition",
    interval: float = 0.05,
) -> float:
    """Poll until ``condition()`` is truthy; return the seconds it took, or fail naming ``what``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > deadline:
            raise AssertionError(f"{what} did not happen within {deadline:g} s")
        time.sleep(interval)
    return time.monotonic() - start


CRASH = getattr(signal, "SIGKILL", signal.SIGTERM)
"""``os.kill(pid, CRASH)`` ends a process abruptly: SIGKILL on POSIX; on Windows any signal but
the console events is ``TerminateProcess``."""


def process_alive(pid: int) -> bool:
    """Running and not a zombie."""
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _windows_process_alive(pid: int) -> bool:
    """Windows: the process can be opened and has no exit code yet (STILL_ACTIVE)."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32")
    kernel32.OpenProcess.restype = wintypes.HANDLE
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    code = wintypes.DWORD()
    try:
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
    finally:
        kernel32.CloseHandle(handle)


def rss_bytes(pid: int) -> int:
    """Resident memory of any process, from /proc/<pid>/statm (0 once it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 if it is gone), from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Live child processes of ``pid``, recursively (from /proc/<pid>/task/*/children)."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in map(int, children.read_text().split()):
                found += [child, *descendants(child)]
    return found


@contextlib.contextmanager
def xvfb_display(size: str = "1280x720x24") -> Iterator[str]:
    """A private Xvfb screen of ``size``, yielded as its ``DISPLAY`` value; fails when Xvfb is missing."""
    if shutil.which("Xvfb") is None:
        raise AssertionError("Xvfb must be on PATH for tests that capture a screen (apt-get install xvfb).")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        # -noreset: by default X resets when its last client leaves, refusing connections meanwhile
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", size, "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number, "Xvfb did not report its display number"
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
