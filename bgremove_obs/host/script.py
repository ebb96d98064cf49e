"""What ``obs_bgremove.py`` does at script load: find the venv, bind libobs, register the filter.

Kept out of the script file so that file stays a few lines and everything here can be reloaded
(the script drops ``bgremove_obs.*`` from ``sys.modules`` before importing it again).

When the venv is missing or unusable the script's panel (Tools > Scripts) says so and offers the
Set up bgremove button (:data:`~bgremove_core.systems.SETUP_BUTTON`): it runs the installer in
the background (:mod:`bgremove_obs.host.setup`), shows its progress whenever the panel is drawn, and
once it succeeded hands the new venv to the registered filter and to every existing instance
(:meth:`~bgremove_obs.host.filter.BackgroundFilter.adopt`), so no restart of OBS is needed.

The panel's button and the after-set-up step go through libobs with ctypes
(``obs_properties_add_button2``, ``obs_queue_task``), never through obspython's
``obs_properties_add_button`` or ``timer_add``: those attach the callback to OBS's one global
"current script", which any other thread running Python (a timer or hotkey of any script) can
reset to NULL in the middle of our call; OBS then dereferences NULL and dies (caught in gdb under
the Set up button press). Only the panel object itself comes from obspython, which
``script_properties`` must return.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from bgremove_core import systems

from . import environment, libobs, registry
from .filter import Runtime
from .plugin import FILTER_ID, FILTER_NAME, Plugin
from .setup import Setup, installer_command

CODE_ROOT = Path(__file__).resolve().parents[2]
EFFECT = CODE_ROOT / "assets" / "effects" / "bgremove.effect"

SETUP_PROPERTY = "bgremove_setup"
STATUS_PROPERTY = "bgremove_setup_status"
SHOW_PROGRESS = "Show progress"
BUTTON_DATA = 1
"""Not NULL: for a button without data libobs passes the properties' object as a source's data,
and the Scripts panel's object is a script, not a source."""
TRAMPOLINES = "setup_trampolines"
"""Attribute of the registry's holder that keeps the button's and the task's C callbacks alive."""

_found = environment.locate(CODE_ROOT)
_setup: Setup | None = None


def description() -> str:
    """The text of OBS's Tools > Scripts panel (HTML): what the filter is and where deps come from.

    OBS reads it once, when the script loads: what changes (a missing environment, the set-up's
    progress) is in :func:`properties` below it, which OBS draws again after every button press.
    """
    where = (
        f"Dependencies (MediaPipe, OpenCV) are taken from <code>{_found.venv}</code>; the model runs "
        "in a separate worker process started with that Python."
        if not _found.problem
        else f"<b>Not ready when OBS loaded this script:</b> its Python environment. Below: what is "
        f"missing, and <b>{systems.SETUP_BUTTON}</b> to build it now."
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


def properties() -> Any:
    """The script's panel: when the venv is unusable, what is wrong, the set-up button, progress."""
    import obspython as obs

    panel = obs.obs_properties_create()
    if not _found.problem and _setup is None:
        return panel
    lib = libobs.load()
    lib.obs_properties_add_text(int(panel), STATUS_PROPERTY.encode(), b"", libobs.OBS_TEXT_INFO)
    clicked, _ = _trampolines()
    button = lib.obs_properties_add_button2(int(panel), SETUP_PROPERTY.encode(), b"", clicked, BUTTON_DATA)
    _show_state(lib, int(panel), button)
    return panel


def _show_state(lib: libobs.LibObs, panel: int, button: int) -> None:
    """Status text and button as things are now. OBS redraws a panel from these same properties
    after a button returned True (it does not ask for new ones), so a click updates them here."""
    status = _setup.status if _setup is not None else _found.problem
    lib.obs_property_set_description(lib.obs_properties_get(panel, STATUS_PROPERTY.encode()), status.encode())
    running = _setup is not None and _setup.running
    lib.obs_property_set_description(button, (SHOW_PROGRESS if running else systems.SETUP_BUTTON).encode())
    lib.obs_property_set_visible(button, running or bool(_found.problem))


def _trampolines() -> tuple[Any, Any]:
    """The C callbacks of the button and of the after-set-up task, made once per OBS process.

    Kept in the registry's holder, which outlives script reloads: a panel drawn before a reload can
    still be clicked after it, and a set-up started before one can still finish. Each call goes to
    this module as it is loaded *now*; no exception may reach libobs.
    """
    state = registry.holder()
    made = getattr(state, TRAMPOLINES, None)
    if made is None:

        def clicked(panel: int | None, button: int | None, _data: int | None) -> bool:
            try:
                return bool(sys.modules[__name__]._clicked(panel, button))
            except BaseException as error:  # libobs must get a bool back
                _log_error("the Set up bgremove button", error)
                return False

        def finished(_data: int | None) -> None:
            try:
                sys.modules[__name__]._setup_finished()
            except BaseException as error:  # nothing may escape into libobs
                _log_error("the end of the set-up", error)

        made = (libobs.CLICKED(clicked), libobs.TASK(finished))
        setattr(state, TRAMPOLINES, made)
    return made


def _log_error(what: str, error: BaseException) -> None:
    with contextlib.suppress(BaseException):  # not even logging may escape into libobs
        libobs.log(libobs.load(), libobs.LOG_ERROR, f"{what} failed: {type(error).__name__}: {error}")


def _clicked(panel: int, button: int) -> bool:
    """The panel's button, on OBS's UI thread: it does what its label says. Set up bgremove starts
    the installer (never waits for it), Show progress only shows the latest line; True makes OBS
    redraw the panel."""
    global _setup
    lib = libobs.load()
    label = (lib.obs_property_description(button) or b"").decode()
    if label == systems.SETUP_BUTTON and (_setup is None or not _setup.running):
        _setup = Setup(
            installer_command(), lambda line: libobs.log(lib, libobs.LOG_INFO, line), _queue_setup_finished
        )
    _show_state(lib, panel, button)
    return True


def _queue_setup_finished() -> None:
    """From the installer's reading thread: finish on OBS's UI thread, where scripts are loaded."""
    lib = libobs.load()
    lib.obs_queue_task(libobs.OBS_TASK_UI, _trampolines()[1], None, False)


def _setup_finished() -> None:
    """Once the installer has exited: use what it built, or say why not."""
    global _found
    lib = libobs.load()
    if _setup is None:
        message = "A set-up started before the script was reloaded has finished: reload the script to use it."
        libobs.log(lib, libobs.LOG_WARNING, message)
        return
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
