"""What a `bgremove` run did: shared by the CLI and reliability tests (import as ``clirun``)."""

from __future__ import annotations

from dataclasses import dataclass


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
