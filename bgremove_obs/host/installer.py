"""The bgremove installer for Linux, Windows and macOS: ``python install/install.py [options]``.

OBS only loads Python scripts with the one Python it was built or configured with, and only sees
packages that interpreter can import. So the installer finds that Python
(:mod:`bgremove_obs.host.obs_python`), re-runs itself under it, builds a venv of it at the per-user
place the OBS script looks in (:func:`bgremove_core.systems.data_dir`), installs the pinned
requirements, proves the result works (the self-check) and tells the user what to add in OBS,
or adds it itself with ``--register`` (:mod:`bgremove_obs.host.scene_collection`). ``--uninstall``
removes exactly what it made. A re-run with nothing changed only re-runs the self-check.

Every refusal is one sentence on stderr (exit status 1); the details of pip and of native
libraries go to ``install.log`` in the prefix. Standard library only: this runs before anything
is installed, and inside OBS's own Python when the Scripts panel's Set up button starts it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from bgremove_core import systems

from . import obs_python, scene_collection
from .obs_python import InstallError, dotted, same_file

REPO = Path(__file__).resolve().parents[2]
"""The checkout being installed (its ``obs_bgremove.py`` is what OBS loads)."""
PACKAGE_ITEMS = ("pyproject.toml", "README.md", "LICENSE", "bgremove_core", "bgremove_obs")
"""What pip builds bgremove from (a copy, so no build/ or egg-info lands in the checkout)."""
OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|getaddrinfo failed|Network is unreachable"
    r"|Connection refused|timed out|No matching distribution|Could not find a version",
    re.IGNORECASE,
)
"""pip's ways of saying the package index cannot be reached."""
RERUN = "BGREMOVE_INSTALLER_RERUN"
"""Set in the environment of the installer's re-run under OBS's Python (it never re-runs again)."""


class Layout:
    """Where one install lives: ``prefix`` holds the venv, its log, stamp and created-dirs list."""

    def __init__(self, prefix: Path, platform: str) -> None:
        self.prefix = prefix
        self.venv = prefix / "venv"
        self.python = systems.venv_python(self.venv, platform)
        self.log = prefix / "install.log"
        self.stamp = prefix / "install-stamp"
        self.created = prefix / "created-dirs"
        self.matplotlib = prefix / "matplotlib"


def fingerprint(python: Path, version: tuple[int, int]) -> str:
    """Everything that changes what ends up in the venv: interpreter, pinned set, package code."""
    digest = hashlib.sha256(f"{python} {dotted(version)}\n".encode())
    files = [REPO / "requirements" / "runtime.txt", REPO / "pyproject.toml"]
    for folder in ("bgremove_core", "bgremove_obs"):
        files += sorted(p for p in (REPO / folder).rglob("*") if p.is_file() and p.suffix != ".pyc")
    for file in files:
        digest.update(f"{file.relative_to(REPO).as_posix()}\n".encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _run_logged(command: Sequence[str | Path], log: Path) -> bool:
    """Run a command with its output appended to the log; True when it succeeded."""
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(map(str, command))}\n")
        handle.flush()
        return (
            subprocess.run(
                [str(part) for part in command], stdout=handle, stderr=handle, check=False
            ).returncode
            == 0
        )


def _pip(layout: Layout, *arguments: str | Path) -> None:
    """pip install --no-deps; on failure one sentence (offline, or see the log)."""
    command: list[str | Path] = [
        layout.python,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--no-deps",
    ]
    if _run_logged([*command, *arguments], layout.log):
        return
    if OFFLINE.search(layout.log.read_text(encoding="utf-8", errors="replace")):
        raise InstallError(
            "pip could not download the pinned packages (no network, or the package index is unreachable); "
            f"connect to the internet and re-run (details in {layout.log})."
        )
    raise InstallError(f"pip failed to install bgremove's pinned packages; the details are in {layout.log}.")


def _make_prefix(layout: Layout) -> None:
    """Create the prefix, remembering which folders did not exist so --uninstall removes just those."""
    if layout.prefix.is_dir():
        return
    missing, folder = [], layout.prefix
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    layout.prefix.mkdir(parents=True)
    layout.created.write_text("".join(f"{m}\n" for m in missing), encoding="utf-8")


def build(layout: Layout, found: obs_python.ObsPython) -> None:
    """Create or refresh the venv; nothing happens when the fingerprint is unchanged."""
    stamp = fingerprint(found.python, found.version)
    if layout.python.exists() and layout.stamp.is_file() and layout.stamp.read_text().strip() == stamp:
        print(f"bgremove is up to date in {layout.venv} (nothing to install).")
        return
    _make_prefix(layout)
    layout.log.write_text("", encoding="utf-8")
    layout.stamp.unlink(missing_ok=True)
    if obs_python.version_of(layout.python) != found.version:
        print(
            f"Creating a Python {dotted(found.version)} venv in {layout.venv} from {found.python} ...",
            flush=True,
        )
        shutil.rmtree(layout.venv, ignore_errors=True)
        if not _run_logged([found.python, "-m", "venv", layout.venv], layout.log):
            raise InstallError(
                f"'{found.python}' could not create the venv {layout.venv}; the details are in {layout.log}."
            )
    print("Installing the pinned packages (requirements/runtime.txt) ...", flush=True)
    # --no-deps: mediapipe declares sounddevice (audio tasks only, never imported here);
    # runtime.txt pins everything the vision tasks do import.
    _pip(layout, "-r", REPO / "requirements" / "runtime.txt")
    print(f"Installing bgremove from {REPO} ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="bgremove-") as staging:
        for item in PACKAGE_ITEMS:
            source = REPO / item
            if source.is_dir():
                shutil.copytree(source, Path(staging) / item, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.is_file():
                shutil.copy2(source, staging)
        _pip(layout, staging)
    layout.stamp.write_text(stamp + "\n", encoding="utf-8")


def self_check(layout: Layout) -> None:
    """The self-check in the venv, from outside the checkout (so the installed package is what is
    checked); matplotlib (imported by mediapipe) caches its fonts under the prefix."""
    print("Running the self-check in the venv ...", flush=True)
    env = {**os.environ, "MPLCONFIGDIR": str(layout.matplotlib)}
    env.pop("PYTHONPATH", None)
    with layout.log.open("a", encoding="utf-8") as log:
        result = subprocess.run(
            [str(layout.python), "-m", "bgremove_core.selfcheck"],
            cwd=layout.prefix,
            env=env,
            stderr=log,
            check=False,
        )
    if result.returncode != 0:
        layout.stamp.unlink(missing_ok=True)
        raise InstallError(
            "The self-check failed (see the PROBLEM lines above; native library messages are in "
            f"{layout.log})."
        )


def check_libraries(platform: str) -> None:
    """Linux: MediaPipe's native library links libGLESv2.so.2 even on the CPU; checked first."""
    if platform != "linux" or not shutil.which("ldconfig"):
        return
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    if "libGLESv2.so.2 " not in listing:
        raise InstallError(
            "MediaPipe needs the OpenGL ES library libGLESv2.so.2, which is not installed; install it "
            "(Debian/Ubuntu: sudo apt-get install libgles2) and re-run."
        )


def _refuse_if_obs_runs(platform: str, config_dir: Path, option: str) -> None:
    if scene_collection.obs_running(platform, config_dir):
        raise InstallError(
            "OBS is running; close OBS first (it rewrites its scene collection when it exits), then "
            f"re-run with {option}."
        )


def register(platform: str, config_dir: Path) -> None:
    """Add obs_bgremove.py to the scene collection OBS opens next (OBS must be closed)."""
    _refuse_if_obs_runs(platform, config_dir, "--register")
    for line in scene_collection.edit(
        scene_collection.current(config_dir), REPO / "obs_bgremove.py", add=True
    ):
        print(line)


def uninstall(layout: Layout, platform: str, config_dir: Path) -> None:
    """Remove the scripts entries, the venv, the log, stamp and folders this installer made."""
    script = REPO / "obs_bgremove.py"
    listed = scene_collection.listing(config_dir, script)
    if listed:
        _refuse_if_obs_runs(platform, config_dir, "--uninstall")
    for collection in listed:
        for line in scene_collection.edit(collection, script, add=False):
            print(line)
    if (layout.venv / "pyvenv.cfg").is_file():
        shutil.rmtree(layout.venv)
        print(f"Removed {layout.venv}.")
    for item in (layout.stamp, layout.log):
        item.unlink(missing_ok=True)
    shutil.rmtree(layout.matplotlib, ignore_errors=True)
    if layout.created.is_file():
        created = layout.created.read_text(encoding="utf-8").splitlines()
        layout.created.unlink()
        for folder in created:
            try:
                Path(folder).rmdir()
            except OSError:
                break  # not empty: something else lives there now
    print("bgremove was uninstalled (the repository itself was left in place).")


def _final_words(
    layout: Layout, found: obs_python.ObsPython, default: Path, environ: Mapping[str, str]
) -> None:
    """What to do in OBS now: the script to add, the Python to set (when OBS is not set to it yet)."""
    print(f"\nbgremove is installed for Python {dotted(found.version)} in {layout.venv}.")
    print(f"In OBS: Tools > Scripts > + and choose:\n    {REPO / 'obs_bgremove.py'}")
    if not found.configured:
        home = subprocess.run(
            [str(found.python), "-c", "import sys; print(sys.base_prefix)"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        print(f"and in Tools > Scripts > Python Settings set the Python install path to:\n    {home}")
    if layout.prefix != default:
        print(
            "This venv is not at the default place: start OBS with "
            f"BGREMOVE_VENV={layout.venv} in its environment."
        )
    elif environ.get("BGREMOVE_VENV") or (REPO / ".venv").is_dir():
        print(
            f"Note: obs_bgremove.py prefers BGREMOVE_VENV, then {REPO / '.venv'}, over this venv; "
            "unset or remove those for OBS to use it."
        )


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="install/install.py",
        description="Builds the Python environment OBS's bgremove filter imports from, checks it, and "
        "prints the script to add in OBS (Tools > Scripts).",
    )
    parser.add_argument(
        "--python", type=Path, help="use this interpreter instead of the one OBS loads (same version)"
    )
    parser.add_argument("--prefix", type=Path, help=f"install into PREFIX instead of {systems.data_dir()}")
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--register",
        action="store_true",
        help="also add obs_bgremove.py to OBS's current scene collection (OBS closed)",
    )
    action.add_argument(
        "--uninstall",
        action="store_true",
        help="remove the venv and the scripts entries this installer added",
    )
    return parser.parse_args(argv)


def run(argv: Sequence[str], platform: str = sys.platform, environ: Mapping[str, str] = os.environ) -> int:
    """The installer; returns the exit status."""
    options = parse(argv)
    home = Path.home()
    default = systems.data_dir(platform, environ, home)
    layout = Layout(Path(os.path.abspath(options.prefix or default)), platform)
    config_dir = systems.obs_config_dir(platform, environ, home)
    if options.uninstall:
        uninstall(layout, platform, config_dir)
        return 0
    found = obs_python.find(platform, options.python, environ, home)
    if not same_file(Path(sys.executable), found.python) and not environ.get(RERUN):
        # Re-run under the Python OBS loads, once: the venv, pip and the self-check all use it.
        rerun = [str(found.python), str(REPO / "install" / "install.py"), *argv]
        if options.python is None:
            rerun += ["--python", str(found.python)]
        return subprocess.run(rerun, env={**environ, RERUN: "1"}, check=False).returncode
    check_libraries(platform)
    build(layout, found)
    self_check(layout)
    if options.register:
        register(platform, config_dir)
    _final_words(layout, found, default, environ)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except InstallError as error:
        print(f"bgremove install: {error}", file=sys.stderr)
        return 1
