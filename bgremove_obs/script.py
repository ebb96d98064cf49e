"""What ``obs_bgremove.py`` does at script load: find the venv, bind libobs, register the filter.

Kept out of the script file so that file stays a few lines and everything here can be reloaded
(the script drops ``bgremove_obs.*`` from ``sys.modules`` before importing it again).

When the venv is missing or unusable the script's panel (Tools > Scripts) says so and offers the
Set up bgremove button (:data:`~bgremove_core.systems.SETUP_BUTTON`): it runs the installer in
the background (:mod:`bgremove_obs.setup`), shows its progress whenever the panel is drawn, and
once it succeeded hands the new venv to the registered filter and to every existing instance
(:meth:`~bgremove_obs.filter.BackgroundFilter.adopt`), so no restart of OBS is needed. The panel
uses ``obspython`` (OBS's Python module, only importable inside OBS) for its properties.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bgremove_core import systems

from . import environment, libobs, registry
from .filter import Runtime
from .plugin import FILTER_ID, FILTER_NAME, Plugin
from .setup import Setup, installer_command

CODE_ROOT = Path(__file__).resolve().parents[1]
EFFECT = CODE_ROOT / "assets" / "effects" / "bgremove.effect"

SETUP_PROPERTY = "bgremove_setup"
STATUS_PROPERTY = "bgremove_setup_status"
WATCH_MS = 500
"""How often OBS's timer looks whether a running set-up has finished."""

_found = environment.locate(CODE_ROOT)
_setup: Setup | None = None


def description() -> str:
    """The text of OBS's Tools > Scripts panel (HTML): what the filter is and where deps come from."""
    where = (
        f"Dependencies (MediaPipe, OpenCV) are taken from <code>{_found.venv}</code>; the model runs "
        "in a separate worker process started with that Python."
        if not _found.problem
        else f"<b>Not ready:</b> {_found.problem}"
    )
    if _found.problem:
        where += f"</p><p>Press <b>{systems.SETUP_BUTTON}</b> below to build it now."
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


def properties() -> Any:
    """The script's panel: when the venv is unusable, what is wrong, the set-up button, progress."""
    import obspython as obs

    panel = obs.obs_properties_create()
    if not _found.problem and _setup is None:
        return panel
    status = _setup.status if _setup is not None else _found.problem
    obs.obs_properties_add_text(panel, STATUS_PROPERTY, status, obs.OBS_TEXT_INFO)
    if _setup is not None and _setup.running:
        obs.obs_properties_add_button(panel, SETUP_PROPERTY, "Show progress", _refresh)
    elif _found.problem:
        obs.obs_properties_add_button(panel, SETUP_PROPERTY, systems.SETUP_BUTTON, _start_setup)
    return panel


def _refresh(_panel: Any, _button: Any) -> bool:
    return True  # OBS redraws the panel, which reads the latest progress


def _start_setup(_panel: Any, _button: Any) -> bool:
    """The button: start the installer, never wait for it (this runs on OBS's UI thread)."""
    import obspython as obs

    global _setup
    if _setup is None or not _setup.running:
        lib = libobs.load()
        _setup = Setup(installer_command(), lambda line: libobs.log(lib, libobs.LOG_INFO, line))
        obs.timer_add(_watch_setup, WATCH_MS)
    return True


def _watch_setup() -> None:
    """OBS's timer: once the installer has finished, use what it built (or say why not)."""
    import obspython as obs

    global _found
    if _setup is None or _setup.running:
        return
    obs.timer_remove(_watch_setup)
    lib = libobs.load()
    if not _setup.succeeded:
        libobs.log(lib, libobs.LOG_WARNING, _setup.status)
        return
    _found = environment.locate(CODE_ROOT)
    if _found.problem:
        libobs.log(lib, libobs.LOG_WARNING, f"Set up finished, but {_found.problem}")
        return
    runtime = Runtime(_found.python, CODE_ROOT, EFFECT, "")
    Plugin(lib, runtime).register()
    for instance in registry.holder().instances.values():
        instance.adopt(runtime)
    libobs.log(
        lib, libobs.LOG_INFO, f"bgremove set up: filter '{FILTER_ID}' ready; worker Python: {_found.python}"
    )
