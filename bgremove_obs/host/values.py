"""OBS-side values to a valid :class:`Settings`, never an exception.

OBS hands the filter whatever is stored in the scene collection or sent by a websocket client
(``SetSourceFilterSettings`` accepts any number, NaN included). The core rejects invalid values
with a SettingsError; a live filter must keep running instead, so each bad value is clamped into
range (numbers) or replaced by its default (anything else), and the reason is returned as a
sentence for the properties panel and the log.

Pure Python (no ctypes, no OBS), so it is unit-tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bgremove_core.errors import SettingsError
from bgremove_core.settings import FieldSpec, Settings, schema


def obs_colour_to_hex(value: int) -> str:
    """OBS colour property value (``0xAABBGGRR``) to ``#RRGGBB``; alpha is ignored."""
    red, green, blue = value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF
    return f"#{red:02X}{green:02X}{blue:02X}"


def hex_to_obs_colour(text: str) -> int:
    """``#RRGGBB`` to an opaque OBS colour value (``0xFFBBGGRR``)."""
    rgb = int(text.lstrip("#"), 16)
    red, green, blue = rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF
    return 0xFF000000 | blue << 16 | green << 8 | red


def _repair(spec: FieldSpec, raw: Any, error: SettingsError) -> tuple[Any, str]:
    """A valid stand-in for ``raw`` and the sentence saying what was done."""
    number = spec.kind in ("int", "float") and isinstance(raw, int | float) and not isinstance(raw, bool)
    if number and math.isfinite(raw):
        assert spec.minimum is not None and spec.maximum is not None
        clamped = min(max(raw, spec.minimum), spec.maximum)
        value = round(clamped) if spec.kind == "int" else float(clamped)
        return value, f"{error} Using {value:g} instead."
    return spec.default, f"{error} Using the default ({spec.default!r}) instead."


def settings_from_values(values: Mapping[str, Any]) -> tuple[Settings, tuple[str, ...]]:
    """Build Settings from raw per-key values, repairing bad ones; missing keys take defaults.

    Returns the settings and one sentence per repaired value (empty when all were valid).
    """
    clean: dict[str, Any] = {}
    problems: list[str] = []
    for spec in schema():
        if spec.key not in values:
            continue
        raw = values[spec.key]
        try:
            clean[spec.key] = spec.validate(raw)
        except SettingsError as error:
            clean[spec.key], problem = _repair(spec, raw, error)
            problems.append(problem)
    return Settings(**clean), tuple(problems)
