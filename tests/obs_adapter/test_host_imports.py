"""The OBS side never imports numpy, OpenCV or MediaPipe.

OBS loads the script with its own Python, where those packages are usually missing (they live in
bgremove's venv, used only by the worker process); one stray import would stop the filter from
loading at all, and loading them would put hundreds of MB into the OBS process. Each check runs in
a fresh interpreter, because this test process has long imported all three.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import bgremove_obs.host
import bgremove_obs.wire
import bgremove_obs.worker

HEAVY = ("numpy", "cv2", "mediapipe")

_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def _modules(package) -> list[str]:
    found = [f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]
    assert found, f"no modules found in {package.__name__}"
    return found


def _loaded_after_importing(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` in ``sys.modules`` of a fresh interpreter that
    imported ``modules``."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *modules], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [name for name in json.loads(done.stdout) if name.startswith(prefixes)]


def _heavy_after_importing(modules: list[str]) -> list[str]:
    return _loaded_after_importing(modules, HEAVY)


def test_the_obs_side_imports_no_numpy_opencv_or_mediapipe() -> None:
    modules = ["obs_bgremove", *_modules(bgremove_obs.host), *_modules(bgremove_obs.wire)]
    assert _heavy_after_importing(modules) == []


def test_the_shared_modules_import_neither_side() -> None:
    sides = ("bgremove_obs.host", "bgremove_obs.worker")
    assert _loaded_after_importing(_modules(bgremove_obs.wire), sides) == []


_WORKING = [name for name in _modules(bgremove_obs.worker) if not name.endswith(".main")]
"""The worker's modules that do the work; its entry point imports them only once it runs."""


@pytest.mark.parametrize("module", _WORKING)
def test_the_check_sees_the_worker_side_imports(module: str) -> None:
    """The same probe on the worker's modules, which must load the heavy packages: proof that
    the checks above would catch a stray import."""
    assert set(_heavy_after_importing([module])) & set(HEAVY)
