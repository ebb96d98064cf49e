"""The configuration an isolated OBS needs before its first start, for every OBS from 29 to 32.

Written into the instance's own HOME (``shared/docs/obs-python-filter.md`` §4 and §6):

- ``FirstRun`` in global.ini (OBS 29/30) *and* user.ini (OBS 31+ reads it there): without it the
  Auto-Configuration Wizard opens and a later File > Exit hangs in ``QDialog::exec()``.
- The websocket server settings in global.ini's ``[OBSWebSocket]`` (obs-websocket 5.0-5.4) *and*
  in ``plugin_config/obs-websocket/config.json`` (5.5, OBS 30+).
- A profile with the canvas size and frame rate, and a scene collection that lists the scripts to
  load (``modules.scripts-tool``), written once: later starts keep what OBS saved.
"""

from __future__ import annotations

import configparser
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

SCENE = "Scene"
PROFILE = "bgremove"


def read_ini(path: Path) -> configparser.ConfigParser:
    """OBS ini files: case-sensitive keys, no interpolation, maybe a UTF-8 BOM."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    if path.exists():
        parser.read_string(path.read_text(encoding="utf-8-sig"))
    return parser


def write_ini(path: Path, values: Mapping[str, Mapping[str, object]]) -> None:
    """Merge ``values`` into an ini file, keeping every key OBS saved there itself."""
    parser = read_ini(path)
    for section, keys in values.items():
        if not parser.has_section(section):
            parser.add_section(section)
        for key, value in keys.items():
            parser.set(section, key, str(value).lower() if isinstance(value, bool) else str(value))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        parser.write(handle, space_around_delimiters=False)


def write_start_config(config: Path, *, port: int, collection: str) -> None:
    """What every start needs: first-run flags, profile and collection names, the websocket port."""
    general = {
        "General": {"FirstRun": True},
        "Basic": {
            "Profile": PROFILE,
            "ProfileDir": PROFILE,
            "SceneCollection": collection,
            "SceneCollectionFile": collection,
        },
    }
    write_ini(
        config / "global.ini",
        {
            **general,
            "OBSWebSocket": {
                "FirstLoad": False,
                "ServerEnabled": True,
                "ServerPort": port,
                "AuthRequired": False,
                "AlertsEnabled": False,
            },
        },
    )
    write_ini(config / "user.ini", general)
    websocket = config / "plugin_config" / "obs-websocket" / "config.json"
    websocket.parent.mkdir(parents=True, exist_ok=True)
    websocket.write_text(
        json.dumps(
            {
                "alerts_enabled": False,
                "auth_required": False,
                "first_load": False,
                "server_enabled": True,
                "server_password": "",
                "server_port": port,
            }
        )
    )


def write_first_config(
    config: Path, *, collection: str, scripts: Sequence[Path], width: int, height: int, fps: int
) -> None:
    """The profile (canvas size, frame rate) and a one-scene collection that loads ``scripts``."""
    write_ini(
        config / "basic" / "profiles" / PROFILE / "basic.ini",
        {
            "General": {"Name": PROFILE},
            "Video": {
                "BaseCX": width,
                "BaseCY": height,
                "OutputCX": width,
                "OutputCY": height,
                "FPSType": 1,
                "FPSInt": fps,
            },
        },
    )
    scenes = config / "basic" / "scenes"
    scenes.mkdir(parents=True, exist_ok=True)
    document = {
        "name": collection,
        "current_scene": SCENE,
        "current_program_scene": SCENE,
        "scene_order": [{"name": SCENE}],
        "sources": [
            {
                "id": "scene",
                "versioned_id": "scene",
                "name": SCENE,
                "settings": {"items": [], "id_counter": 0},
            }
        ],
        "modules": {"scripts-tool": [{"path": str(p), "settings": {}} for p in scripts]},
    }
    (scenes / f"{collection}.json").write_text(json.dumps(document, indent=1))
