"""What ``obs_bgremove.py`` does at script load: find the venv, bind libobs, register the filter.

Kept out of the script file so that file stays a few lines and everything here can be reloaded
(the script drops ``bgremove_obs.*`` from ``sys.modules`` before importing it again).
"""

from __future__ import annotations

from pathlib import Path

from . import environment, libobs
from .filter import Runtime
from .plugin import FILTER_ID, FILTER_NAME, Plugin

CODE_ROOT = Path(__file__).resolve().parents[1]
EFFECT = CODE_ROOT / "assets" / "effects" / "bgremove.effect"

_found = environment.locate(CODE_ROOT)


def description() -> str:
    """The text of OBS's Tools > Scripts panel (HTML): what the filter is and where deps come from."""
    where = (
        f"Dependencies (MediaPipe, OpenCV) are taken from <code>{_found.venv}</code>; the model runs "
        "in a separate worker process started with that Python."
        if not _found.problem
        else f"<b>Not ready:</b> {_found.problem}"
    )
    return (
        f"<h3>{FILTER_NAME}</h3><p>Adds the <b>{FILTER_NAME}</b> video filter: blurs, replaces "
        "(colour, image, video) or removes the background behind a person, on the GPU. Add it "
        "from any video source's Filters dialog: webcams, media, images, captures and scenes.</p>"
        f"<p>{where}</p>"
    )


def load() -> None:
    """Register the filter (once per process) and make this code the one libobs calls.

    The venv's site-packages is deliberately *not* added to OBS's interpreter: the OBS side
    needs only the standard library and the core's standard-library modules (settings, limits),
    which come from the code root; numpy, OpenCV and MediaPipe run in the worker process. OBS's
    interpreter is shared by every script, so adding the venv there could shadow or break the
    packages of other users' scripts.
    """
    lib = libobs.load()
    runtime = Runtime(_found.python, CODE_ROOT, EFFECT, _found.problem)
    first = Plugin(lib, runtime).register()
    state = "registered" if first else "reloaded (already registered in this OBS process)"
    libobs.log(lib, libobs.LOG_INFO, f"filter '{FILTER_ID}' {state}; worker Python: {_found.python}")
    if _found.problem:
        libobs.log(lib, libobs.LOG_WARNING, _found.problem)


def unload() -> None:
    """Nothing to tear down: libobs cannot unregister a filter type, and at OBS exit this runs
    before the filters' ``destroy``, which still needs the registered code."""
    libobs.log(libobs.load(), libobs.LOG_INFO, "script unloaded; existing filters keep working")
