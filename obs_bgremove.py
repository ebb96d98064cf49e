"""bgremove for OBS Studio: add this file in Tools > Scripts to get the "Background Remover" filter.

Everything lives in the ``bgremove_obs`` package beside this file; this script only imports it
(fresh on every reload, so edits take effect) and forwards OBS's script functions. If the
package cannot be imported, the Scripts panel and the log say why instead of a traceback.
"""

import sys
import types
from pathlib import Path

_REPO = str(Path(__file__).resolve().parent)
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)
for _name in [name for name in sys.modules if name.split(".")[0] == "bgremove_obs"]:
    del sys.modules[_name]

_script: types.ModuleType | None
try:
    from bgremove_obs.host import script as _script

    _ERROR = ""
except Exception as _exc:  # shown in the Scripts panel and the log; OBS must keep running
    from bgremove_core.systems import repair_hint

    _script = None
    _ERROR = f"bgremove could not load from {_REPO}: {type(_exc).__name__}: {_exc}. Fix: {repair_hint()}."


def script_description():
    return _script.description() if _script else f"<b>Background Remover is not available.</b> {_ERROR}"


def script_properties():
    return _script.properties() if _script else None


def script_load(settings):
    if _script:
        _script.load()
    else:
        print(_ERROR)


def script_unload():
    if _script:
        _script.unload()
