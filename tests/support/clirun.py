"""Running `bgremove` as a child process and judging what the run did: one set of helpers for the
CLI, reliability and studio tests."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

CLI = (sys.executable, "-m", "bgremove_core.cli")
TIMEOUT_SECONDS = 120
"""A hang catcher for one CLI run on the test media, never a speed limit."""
ERROR_PREFIX = "bgremove: error: "


@dataclass(frozen=True)
class Run:
    """What one CLI run did, and what it cost (timing and peak memory only where measured)."""

    code: int
    out: str
    err: str
    seconds: float = 0.0
    peak_mb: float = 0.0

    @property
    def error_line(self) -> str:
        """The last stderr line: where the CLI's sentence is, after any native library chatter."""
        lines = self.err.strip().splitlines()
        return lines[-1] if lines else ""


def run_cli(
    args: Sequence[object],
    *,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Run:
    """Run ``[prefix...] python -m bgremove_core.cli ARGS`` as a child process: what reaches the
    process's own stderr (native libraries' lines too) is in ``err``."""
    started = time.perf_counter()
    proc = subprocess.run(
        [*prefix, *CLI, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=TIMEOUT_SECONDS,
        preexec_fn=preexec_fn,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)


def assert_refused(run: Run, words: str) -> None:
    """The run failed the way every refusal must: exit 2, our sentence last, no traceback."""
    assert run.code == 2, (run.code, run.err[-2000:])
    assert run.error_line.startswith(ERROR_PREFIX), run.err[-2000:]
    assert words in run.error_line, run.error_line
    assert "Traceback" not in run.err


def leftovers(folder: Path) -> list[str]:
    """Temporary files a run may have left in ``folder`` (must always be none)."""
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file under ``folder``, to prove a run changed nothing there."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}
