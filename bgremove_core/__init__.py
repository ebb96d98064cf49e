"""bgremove_core: person segmentation, mask refinement and background compositing.

No OBS import anywhere in this package: the OBS filter, the CLI and the tests all drive it
through the same small API, re-exported here. Exports are resolved lazily so that a light
importer (the OBS process, which only needs the settings schema) never pulls in OpenCV or
MediaPipe.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Settings": "settings",
    "FieldSpec": "settings",
    "Background": "settings",
    "ModelName": "settings",
    "schema": "settings",
    "Stage": "settings",
    "changed_stages": "settings",
    "BgRemoveError": "errors",
    "SettingsError": "errors",
    "ModelError": "errors",
    "MediaError": "errors",
    "OutputError": "errors",
    "Segmenter": "segment",
    "MaskEngine": "engine",
    "open_segmenter": "engine",
    "Refiner": "refine",
    "Compositor": "compose",
    "Processor": "pipeline",
    "RealtimeProcessor": "pipeline",
    "Result": "pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
