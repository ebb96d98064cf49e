""" "Show in folder": open the output folder in the desktop's file manager, where there is a desktop.

The page always shows the folder's path as well, and the studio prints it, so on a machine
without a desktop (a server reached through an SSH tunnel) the user still learns where it is.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def open_folder(folder: Path) -> bool:
    """Ask the desktop to show ``folder``; whether there was a desktop to ask."""
    if sys.platform == "win32":
        os.startfile(folder)  # type: ignore[attr-defined]  # Windows only
        return True
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    desktop = sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    command = shutil.which(opener)
    if not desktop or command is None:
        return False
    subprocess.Popen(
        [command, str(folder)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return True
