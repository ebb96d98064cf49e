"""Which Python the installed OBS loads scripts with, on each system (for the installer).

- Linux: OBS links a libpython (its ``libobs-scripting`` library names it), and that minor
  version is the one; the interpreter is the one installed beside that libpython.
- Windows and macOS: OBS loads the Python home set in Tools > Scripts > Python Settings
  (:data:`~bgremove_core.systems.OBS_PYTHON_SETTING`), up to the newest version that OBS release
  accepts (:func:`~bgremove_core.systems.obs_max_python`). Without a setting: Windows' ``py``
  launcher, macOS' python.org framework build.

Every refusal is an :class:`InstallError` carrying one sentence for the user. Standard library only.
"""

from __future__ import annotations

import configparser
import glob
import os
import plistlib
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bgremove_core import systems


class InstallError(Exception):
    """A reason the install cannot go on, in one sentence for the user."""


@dataclass(frozen=True)
class ObsPython:
    """Attributes:
    python: The interpreter to build the venv from.
    version: Its ``(major, minor)``.
    configured: Whether OBS is already set to this Python (Windows/macOS Python Settings; always
        True on Linux, where OBS links it).
    """

    python: Path
    version: tuple[int, int]
    configured: bool


def version_of(python: Path | str) -> tuple[int, int] | None:
    """``(major, minor)`` of an interpreter, or None when it does not run."""
    try:
        result = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.fullmatch(r"(\d+)\.(\d+)\s*", result.stdout) if result.returncode == 0 else None
    return (int(found[1]), int(found[2])) if found else None


def makes_venvs(python: Path | str) -> bool:
    """Whether the interpreter can run ``-m venv`` with pip (Debian splits it into pythonX.Y-venv)."""
    try:
        return (
            subprocess.run(
                [str(python), "-c", "import ensurepip, venv"], capture_output=True, timeout=60, check=False
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def read_settings(config_dir: Path) -> configparser.ConfigParser:
    """OBS's user settings: user.ini (OBS 31+) over global.ini; keys are case-sensitive."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    for name in reversed(systems.OBS_SETTINGS_FILES):
        try:
            parser.read_string((config_dir / name).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, configparser.Error):
            continue
    return parser


def obs_version(platform: str, settings: configparser.ConfigParser) -> tuple[int, int] | None:
    """The installed OBS's ``(major, minor)``: macOS's OBS.app says it, else the ``LastVersion``
    OBS records in its settings (``major << 24 | minor << 16 | patch``); None when unknown."""
    if platform == systems.MACOS:
        try:
            with open("/Applications/OBS.app/Contents/Info.plist", "rb") as handle:
                text = str(plistlib.load(handle).get("CFBundleShortVersionString", ""))
            major, minor = text.split(".")[:2]
            return int(major), int(minor)
        except (OSError, ValueError, plistlib.InvalidFileException):
            pass
    packed = settings.get("General", "LastVersion", fallback="")
    if not packed.isdigit():
        return None
    return int(packed) >> 24, (int(packed) >> 16) & 0xFF


def linux_libpython() -> Path | None:
    """The libpython that OBS's scripting library links, or None when no such OBS is installed."""
    libs: list[str] = []
    if shutil.which("ldconfig"):
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
        libs += [line.split("=> ")[-1] for line in listing.splitlines() if "libobs-scripting.so" in line]
    if shutil.which("dpkg"):
        # libobs0t64 is Debian 13's and sid's name for libobs0 (the 64-bit time_t transition).
        listing = subprocess.run(
            ["dpkg", "-L", "libobs0", "libobs0t64", "obs-studio"], capture_output=True, text=True, check=False
        ).stdout
        libs += [
            line for line in listing.splitlines() if re.search(r"libobs-scripting\.so|_obspython\.so", line)
        ]
    for pattern in (
        "/usr/lib/*/libobs-scripting.so*",
        "/usr/lib64/libobs-scripting.so*",
        "/usr/lib/libobs-scripting.so*",
        "/usr/local/lib/libobs-scripting.so*",
        "/usr/lib/*/obs-scripting/_obspython.so",
        "/usr/local/lib/obs-scripting/_obspython.so",
    ):
        libs += sorted(glob.glob(pattern))
    for lib in libs:
        linked = subprocess.run(["ldd", lib.strip()], capture_output=True, text=True, check=False).stdout
        found = re.search(r"libpython3\.\d+\S*\s+=>\s+(\S+)", linked)
        if found:
            return Path(found[1])
    return None


def _linux(chosen: Path | None) -> ObsPython:
    libpython = linux_libpython()
    wanted = None
    if libpython is not None and (match := re.search(r"libpython(\d+)\.(\d+)", libpython.name)):
        wanted = (int(match[1]), int(match[2]))
    if wanted is None and chosen is None:
        if (
            shutil.which("flatpak")
            and (
                subprocess.run(["flatpak", "info", "com.obsproject.Studio"], capture_output=True, check=False)
            ).returncode
            == 0
        ):
            raise InstallError(
                "Flatpak OBS is not supported by this installer because its sandbox cannot see a venv "
                "built outside it; install OBS from your distribution's packages (e.g. apt-get install "
                "obs-studio) or pass --python."
            )
        raise InstallError(
            "No OBS with Python scripting was found (no libobs-scripting linking libpython); install "
            "OBS from your distribution's packages (e.g. apt-get install obs-studio) or pass --python."
        )
    if wanted is not None and wanted not in systems.SUPPORTED_PYTHON:
        raise InstallError(
            f"This OBS embeds Python {dotted(wanted)}, but bgremove needs Python {systems.SUPPORTED_RANGE} "
            "(the versions its packages have wheels for); install an OBS built with one of those (e.g. "
            "the package of Debian 12, 13 or Ubuntu 24.04)."
        )
    if chosen is not None:
        return ObsPython(chosen, _checked(chosen, wanted), True)
    assert wanted is not None and libpython is not None
    name = f"python{dotted(wanted)}"
    lib_prefix = str(libpython.parent).split("/lib")[0]
    candidates = [Path(lib_prefix) / "bin" / name, Path("/usr/bin") / name]
    candidates += [Path(found) for found in (shutil.which(name), shutil.which("python3")) if found]
    installed = [c for c in candidates if version_of(c) == wanted]
    for candidate in installed:
        if makes_venvs(candidate):
            return ObsPython(candidate, wanted, True)
    if installed:
        raise InstallError(
            f"Python {dotted(wanted)} is installed but cannot create virtual environments; install its "
            f"venv module (e.g. sudo apt-get install {name}-venv) and re-run."
        )
    raise InstallError(
        f"OBS loads Python {dotted(wanted)}, which is not installed; install it with its venv module "
        f"(e.g. sudo apt-get install {name} {name}-venv) and re-run."
    )


def _checked(python: Path, wanted: tuple[int, int] | None) -> tuple[int, int]:
    version = version_of(python)
    if version is None:
        raise InstallError(
            f"The interpreter '{python}' does not run; check --python or OBS's Python Settings."
        )
    if wanted is not None and version != wanted:
        raise InstallError(
            f"'{python}' is Python {dotted(version)} but OBS loads Python {dotted(wanted)}; pass a Python "
            f"{dotted(wanted)} interpreter with --python."
        )
    return version


def _configured(platform: str, settings: configparser.ConfigParser) -> Path | None:
    """The interpreter in the Python home OBS is set to, if that is set and holds one."""
    section, key = systems.OBS_PYTHON_SETTING
    home = settings.get(section, key, fallback="").strip()
    if not home:
        return None
    return next((p for p in systems.pythons_in_home(Path(home), platform) if p.is_file()), None)


def _windows_launcher(version: tuple[int, int]) -> Path | None:
    """Windows: the interpreter the ``py`` launcher knows for ``version``."""
    if not shutil.which("py"):
        return None
    result = subprocess.run(
        ["py", f"-{dotted(version)}", "-c", "import sys; print(sys.executable)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None


def _windows_or_macos(platform: str, chosen: Path | None, config_dir: Path) -> ObsPython:
    settings = read_settings(config_dir)
    version = obs_version(platform, settings)
    newest = systems.obs_max_python(version)
    configured = _configured(platform, settings)
    python = chosen or configured
    if python is None:
        for wanted in (newest, (3, 11)):
            python = (
                _windows_launcher(wanted) if platform == systems.WINDOWS else systems.framework_python(wanted)
            )
            if python is not None and python.is_file():
                break
            python = None
    if python is None:
        where = (
            "python.org (64-bit)"
            if platform == systems.WINDOWS
            else "python.org (OBS loads only its framework build)"
        )
        raise InstallError(
            f"No Python {dotted(newest)} was found; install Python {dotted(newest)} from {where}, "
            "then re-run."
        )
    found = _checked(python, None)
    if found not in systems.SUPPORTED_PYTHON or found > newest:
        raise InstallError(
            f"'{python}' is Python {dotted(found)}, but this OBS loads Python 3.11 to {dotted(newest)}; "
            f"install Python {dotted(newest)} from python.org and re-run."
        )
    if not makes_venvs(python):
        raise InstallError(
            f"'{python}' cannot create virtual environments (an embeddable or trimmed Python); install "
            f"Python {dotted(newest)} from python.org, choose it in OBS's Tools > Scripts > Python Settings "
            "and re-run."
        )
    return ObsPython(python, found, configured is not None and same_file(configured, python))


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one interpreter (a symlink to it counts)."""
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def find(
    platform: str, chosen: Path | None, environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> ObsPython:
    """The Python to build the venv from: ``chosen`` (``--python``) checked against OBS, else OBS's own."""
    if platform == "linux":
        return _linux(chosen)
    if platform in (systems.WINDOWS, systems.MACOS):
        return _windows_or_macos(platform, chosen, systems.obs_config_dir(platform, environ, home))
    raise InstallError(f"This installer supports Linux, Windows and macOS, not {platform}.")
