"""Adding and removing ``obs_bgremove.py`` in OBS's scene collections (the installer's --register).

OBS lists its scripts in the current scene collection (``basic/scenes/<name>.json``, key
``modules.scripts-tool``) and rewrites that file when it exits, so an edit is only made while no
OBS of this user runs with this configuration folder. Every edit first copies the collection to
a timestamped backup beside it and replaces the file atomically; a file that is not a collection
as OBS writes it is left untouched. Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bgremove_core import systems

from .obs_python import InstallError, read_settings


def current(config_dir: Path) -> Path:
    """The collection OBS opens next (``SceneCollectionFile``; OBS's default is Untitled).

    OBS up to 30 records the file's stem there (``bgremove``), OBS 31+ in user.ini its whole name
    (``bgremove.json``); both name the same file.
    """
    name = read_settings(config_dir).get("Basic", "SceneCollectionFile", fallback="") or "Untitled"
    return config_dir / "basic" / "scenes" / f"{name.removesuffix('.json')}.json"


def listing(config_dir: Path, script: Path) -> list[Path]:
    """The collections that list ``script``."""
    found = []
    for path in sorted((config_dir / "basic" / "scenes").glob("*.json")):
        try:
            scripts = _scripts(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if scripts is not None and any(_ours(entry, script) for entry in scripts):
            found.append(path)
    return found


def obs_running(platform: str, config_dir: Path) -> bool:
    """Whether an OBS of this user runs with ``config_dir`` (where that cannot be told: any OBS)."""
    if platform == systems.WINDOWS:
        try:
            listed = subprocess.run(
                ["tasklist", "/FI", "IMAGENAME eq obs64.exe", "/FO", "CSV", "/NH"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
        except OSError:  # no tasklist (a Windows profile examined elsewhere): no OBS seen
            return False
        return "obs64.exe" in listed.lower()
    if not Path("/proc/self").is_dir():
        found = subprocess.run(
            ["pgrep", "-i", "-x", "-u", str(os.getuid()), "obs"], capture_output=True, check=False
        )
        return found.returncode == 0
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or (proc / "comm").read_text().strip().lower() != "obs":
                continue
            if proc.stat().st_uid != os.getuid():
                continue
            environ = dict(
                item.split("=", 1)
                for item in (proc / "environ").read_text(errors="replace").split("\0")
                if "=" in item
            )
        except OSError:  # exited meanwhile, or not ours to read: not an OBS of this user
            continue
        its = systems.obs_config_dir("linux", environ, Path(environ.get("HOME") or Path.home()))
        if its.exists() and its.samefile(config_dir):
            return True
    return False


def _scripts(data: Any) -> list[Any] | None:
    modules = data.get("modules", {}) if isinstance(data, dict) else None
    scripts = modules.get("scripts-tool", []) if isinstance(modules, dict) else None
    return scripts if isinstance(scripts, list) else None


def _ours(entry: Any, script: Path) -> bool:
    return isinstance(entry, dict) and entry.get("path") == str(script)


def _stale(entry: Any, script: Path) -> bool:
    """Another copy of obs_bgremove.py, which would register the same filter twice."""
    path = str(entry.get("path", "")) if isinstance(entry, dict) else ""
    return Path(path.replace("\\", "/")).name == script.name and path != str(script)


def edit(path: Path, script: Path, add: bool) -> list[str]:
    """Add (or remove) ``script`` in the collection ``path``; return what was done, line by line."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstallError(
            f"The OBS scene collection {path} does not exist; start OBS once and close it, then re-run."
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InstallError(
            f"The OBS scene collection {path} cannot be read as JSON ({error}); it was left untouched."
        ) from None
    scripts = _scripts(data)
    if scripts is None:
        raise InstallError(
            f"The OBS scene collection {path} is not in the format OBS writes; it was left untouched."
        )
    if add:
        new = [s for s in scripts if not _stale(s, script)]
        if not any(_ours(s, script) for s in scripts):
            new.append({"path": str(script), "settings": {}})
    else:
        new = [s for s in scripts if not _ours(s, script)]
    if new == scripts:
        return [f"{path.name}: nothing to change."]
    stamp, number = time.strftime("%Y%m%d-%H%M%S"), 0
    while (
        backup := path.with_name(f"{path.name}.bgremove-{stamp}{f'-{number}' if number else ''}.bak")
    ).exists():
        number += 1
    shutil.copyfile(path, backup)  # then its times: copy2 needs CopyFile2, which Wine 8 lacks
    shutil.copystat(path, backup)
    data.setdefault("modules", {})["scripts-tool"] = new
    temporary = path.with_name(path.name + ".bgremove-tmp")
    temporary.write_text(json.dumps(data, indent=4, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    done = [
        f"Removed the other copy {entry['path']} from {path.name}."
        for entry in scripts
        if _stale(entry, script)
    ]
    verb = f"Added {script} to" if add else f"Removed {script} from"
    return [*done, f"{verb} {path.name} (backup: {backup})."]
