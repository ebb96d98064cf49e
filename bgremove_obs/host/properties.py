"""The filter's OBS properties panel, defaults and settings reads, generated from the schema.

Nothing here names a setting: every widget, default and read comes from
:func:`bgremove_core.settings.schema`, so the panel and the CLI cannot disagree. One table maps
each schema kind to the obs_data calls that store it and the widget that edits it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bgremove_core.settings import FieldSpec, schema

from . import libobs
from .values import hex_to_obs_colour, obs_colour_to_hex

STATUS_KEY = "bgremove_status_{}"
"""Keys of the read-only message lines at the top of the panel (never stored values)."""


@dataclass(frozen=True)
class _Storage:
    """How one schema kind is stored in obs_data."""

    set_default: Callable[[libobs.LibObs, Any, bytes, Any], None]
    get: Callable[[libobs.LibObs, Any, bytes], Any]


def _text(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value else ""


_INT = _Storage(
    lambda lib, data, key, value: lib.obs_data_set_default_int(data, key, value),
    lambda lib, data, key: int(lib.obs_data_get_int(data, key)),
)
_FLOAT = _Storage(
    lambda lib, data, key, value: lib.obs_data_set_default_double(data, key, value),
    lambda lib, data, key: float(lib.obs_data_get_double(data, key)),
)
_BOOL = _Storage(
    lambda lib, data, key, value: lib.obs_data_set_default_bool(data, key, value),
    lambda lib, data, key: bool(lib.obs_data_get_bool(data, key)),
)
_STRING = _Storage(
    lambda lib, data, key, value: lib.obs_data_set_default_string(data, key, value.encode()),
    lambda lib, data, key: _text(lib.obs_data_get_string(data, key)),
)


def _get_colour(lib: libobs.LibObs, data: int, key: bytes) -> str:
    """The colour picker stores an int; a websocket client may well send "#RRGGBB" instead."""
    text = _text(lib.obs_data_get_string(data, key))
    return text or obs_colour_to_hex(int(lib.obs_data_get_int(data, key)))


_COLOUR = _Storage(
    lambda lib, data, key, value: lib.obs_data_set_default_int(data, key, hex_to_obs_colour(value)),
    _get_colour,
)

_STORAGE: dict[str, _Storage] = {
    "int": _INT,
    "float": _FLOAT,
    "bool": _BOOL,
    "choice": _STRING,
    "path": _STRING,
    "colour": _COLOUR,
}


def set_defaults(lib: libobs.LibObs, data: int) -> None:
    """Write every schema default into OBS's defaults object (``get_defaults``)."""
    for spec in schema():
        _STORAGE[spec.kind].set_default(lib, data, spec.key.encode(), spec.default)


def read(lib: libobs.LibObs, data: int) -> dict[str, Any]:
    """Every schema key's raw value from an obs_data (unvalidated: see :mod:`values`)."""
    return {spec.key: _STORAGE[spec.kind].get(lib, data, spec.key.encode()) for spec in schema()}


def _add_int(lib: libobs.LibObs, props: int, spec: FieldSpec) -> int:
    assert spec.minimum is not None and spec.maximum is not None
    prop = lib.obs_properties_add_int_slider(
        props,
        spec.key.encode(),
        spec.label.encode(),
        int(spec.minimum),
        int(spec.maximum),
        int(spec.step or 1),
    )
    if spec.suffix:
        lib.obs_property_int_set_suffix(prop, spec.suffix.encode())
    return prop


def _add_float(lib: libobs.LibObs, props: int, spec: FieldSpec) -> int:
    assert spec.minimum is not None and spec.maximum is not None
    prop = lib.obs_properties_add_float_slider(
        props, spec.key.encode(), spec.label.encode(), spec.minimum, spec.maximum, spec.step or 0.01
    )
    if spec.suffix:
        lib.obs_property_float_set_suffix(prop, spec.suffix.encode())
    return prop


def _add_choice(lib: libobs.LibObs, props: int, spec: FieldSpec) -> int:
    prop = lib.obs_properties_add_list(
        props,
        spec.key.encode(),
        spec.label.encode(),
        libobs.OBS_COMBO_TYPE_LIST,
        libobs.OBS_COMBO_FORMAT_STRING,
    )
    for value, label in spec.choices:
        lib.obs_property_list_add_string(prop, label.encode(), value.encode())
    return prop


def _add_path(lib: libobs.LibObs, props: int, spec: FieldSpec) -> int:
    return lib.obs_properties_add_path(
        props, spec.key.encode(), spec.label.encode(), libobs.OBS_PATH_FILE, spec.file_filter.encode(), None
    )


_WIDGETS: dict[str, Callable[[libobs.LibObs, int, FieldSpec], int]] = {
    "int": _add_int,
    "float": _add_float,
    "bool": lambda lib, props, spec: lib.obs_properties_add_bool(
        props, spec.key.encode(), spec.label.encode()
    ),
    "choice": _add_choice,
    "path": _add_path,
    "colour": lambda lib, props, spec: lib.obs_properties_add_color(
        props, spec.key.encode(), spec.label.encode()
    ),
}

MessageLevel = int


def build(lib: libobs.LibObs, messages: Sequence[tuple[MessageLevel, str]]) -> int:
    """Create the panel: message lines first (problems must be seen), then every setting.

    ``messages`` are ``(OBS_TEXT_INFO_* level, sentence)`` pairs; the caller owns their wording.
    """
    props = lib.obs_properties_create()
    for index, (level, sentence) in enumerate(messages):
        line = lib.obs_properties_add_text(
            props, STATUS_KEY.format(index).encode(), sentence.encode(), libobs.OBS_TEXT_INFO
        )
        lib.obs_property_text_set_info_type(line, level)
    for spec in schema():
        prop = _WIDGETS[spec.kind](lib, props, spec)
        lib.obs_property_set_long_description(prop, spec.help.encode())
    return props
