"""The package's public surface: ``__all__`` is exactly what ``bgremove_core`` exports, lazily."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import bgremove_core


def test_all_names_resolve_to_the_object_of_their_module() -> None:
    for name in bgremove_core.__all__:
        value = getattr(bgremove_core, name)
        module = importlib.import_module(f"bgremove_core.{bgremove_core._EXPORTS[name]}")
        assert value is getattr(module, name), name


def test_all_matches_the_public_names() -> None:
    assert bgremove_core.__all__ == sorted(set(bgremove_core.__all__)), "sorted, no duplicates"
    public = {n for n in dir(bgremove_core) if not n.startswith("_")}
    submodules = {n for n in public if inspect.ismodule(getattr(bgremove_core, n))}
    assert public - submodules - {"annotations", "importlib", "Any"} == set(bgremove_core.__all__)


def test_every_public_class_of_the_exported_modules_is_exported() -> None:
    """A public class or function defined in a module that exports some names is exported too."""
    missing = []
    for module_name in sorted(set(bgremove_core._EXPORTS.values())):
        module = importlib.import_module(f"bgremove_core.{module_name}")
        for name, value in vars(module).items():
            defined_here = getattr(value, "__module__", None) == module.__name__
            public = defined_here and not name.startswith("_") and inspect.isclass(value)
            if public and name not in bgremove_core.__all__:
                missing.append(f"{module_name}.{name}")
    assert not missing, f"public classes missing from bgremove_core.__all__: {missing}"


def test_importing_the_package_stays_light() -> None:
    """The OBS process imports the package for the schema: no OpenCV or MediaPipe may come along."""
    code = (
        "import sys, bgremove_core, bgremove_core.settings, bgremove_core.limits; "
        "print(sorted(m for m in ('cv2', 'mediapipe', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
