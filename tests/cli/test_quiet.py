"""A clean terminal: bgremove prints its own lines only, never MediaPipe's native start-up chatter.

``process`` runs with stderr on a pseudo-terminal, as a user sees it, so the progress bar is
really drawn; everything on stderr except the bar must be absent. The other commands run with
stderr piped (no bar), where stderr must stay empty.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

#: One redraw of the progress bar, named after the output, e.g.
#: "o.mp4:  41%|████  | 29/70 [00:00<00:00, 57.1frame/s]".
BAR = re.compile(r"^o\.mp4: +\d+%\|.*\| *\d+/\d+ \[.*\]$")
#: Terminal control sequences tqdm uses to redraw and finally erase the bar.
CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _run_with_terminal_stderr(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (stdout piped); return code, stdout, stderr."""
    master, slave = pty.openpty()
    # A terminal of 100x24 characters: with no size the bar has no room and is not drawn at all.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:  # a full pty buffer would block the child, so read as it writes
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    with subprocess.Popen(
        [sys.executable, "-m", "bgremove_core.cli", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        text=True,
    ) as proc:
        os.close(slave)
        out, _ = proc.communicate(timeout=300)
    reader.join(timeout=60)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode("utf-8", "replace")


def test_process_prints_only_the_progress_bar_and_the_summary(clip: Path, tmp_path: Path) -> None:
    code, out, err = _run_with_terminal_stderr(["process", str(clip), str(tmp_path / "o.mp4")], tmp_path)
    assert code == 0, err
    pieces = [p.strip() for p in re.split(r"[\r\n]+", CONTROL.sub("", err)) if p.strip()]
    assert any(BAR.match(p) for p in pieces), f"no progress bar was drawn: {err!r}"
    assert [p for p in pieces if not BAR.match(p)] == []
    assert [line for line in out.splitlines() if line] == [out.strip()]
    assert out.startswith(f"Wrote {tmp_path / 'o.mp4'}: 70 frames")


@pytest.mark.parametrize(
    "command",
    [
        ["preview", "{clip}", "{tmp}/p.png"],
        ["demo", "--seconds", "1", "--out", "{tmp}/demo"],
        ["bench", "speed", "--sizes", "720p", "--models", "landscape", "--frames", "2"],
    ],
    ids=["preview", "demo", "bench"],
)
def test_other_commands_write_nothing_to_stderr(command: list[str], clip: Path, tmp_path: Path) -> None:
    args = [a.format(clip=clip, tmp=tmp_path) for a in command]
    proc = subprocess.run(
        [sys.executable, "-m", "bgremove_core.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert proc.stderr == ""
