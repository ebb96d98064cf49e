"""Run the bgremove CLI and, at exit, save its own peak memory: ``peak_main.py PEAK_FILE ARGS...``.

The peak is the kernel's VmHWM of this process's address space, which exec made fresh. It is
not ``wait4``'s ru_maxrss: that one carries over the RSS of the parent the child was forked
from, so a CLI run forked from a pytest process that had grown to 1 GB "peaked" at 1 GB.
The CLI's exit code is passed on.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("/proc/self/status has no VmHWM line.")


if __name__ == "__main__":
    from bgremove_core.cli.main import main

    peak_file, args = Path(sys.argv[1]), sys.argv[2:]
    try:
        code = main(args)
    finally:
        peak_file.write_text(str(_peak_kib()))
    sys.exit(code)
