"""The properties panel and settings reads, against the real libobs (no OBS running needed).

obs_data and obs_properties are plain data structures in libobs that work without
``obs_startup``, so the panel the filter builds is inspected exactly as OBS would see it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator

import pytest

from bgremove_core.settings import Settings, schema
from bgremove_obs.host import libobs, properties
from bgremove_obs.host.values import hex_to_obs_colour, settings_from_values

P = ctypes.c_void_p
_RAW_SIGNATURES = {
    "obs_data_create": (P, []),
    "obs_data_release": (None, [P]),
    "obs_data_set_string": (None, [P, ctypes.c_char_p, ctypes.c_char_p]),
    "obs_data_set_int": (None, [P, ctypes.c_char_p, ctypes.c_longlong]),
    "obs_data_set_double": (None, [P, ctypes.c_char_p, ctypes.c_double]),
    "obs_properties_first": (P, [P]),
    "obs_property_next": (ctypes.c_bool, [ctypes.POINTER(P)]),
    "obs_property_name": (ctypes.c_char_p, [P]),
    "obs_property_long_description": (ctypes.c_char_p, [P]),
    "obs_property_int_max": (ctypes.c_int, [P]),
    "obs_property_float_max": (ctypes.c_double, [P]),
    "obs_property_list_item_count": (ctypes.c_size_t, [P]),
    "obs_properties_destroy": (None, [P]),
}
"""What the tests call beyond the filter's own table: creating data and walking the panel."""


@pytest.fixture(scope="module")
def lib() -> libobs.LibObs:
    return libobs.load()


@pytest.fixture(scope="module")
def raw() -> ctypes.CDLL:
    library = libobs._open_libobs()
    for name, (restype, argtypes) in _RAW_SIGNATURES.items():
        function = getattr(library, name)
        function.restype, function.argtypes = restype, argtypes
    return library


@pytest.fixture
def data(raw: ctypes.CDLL) -> Iterator[int]:
    made = raw.obs_data_create()
    yield made
    raw.obs_data_release(made)


def test_defaults_read_back_as_the_schema_defaults(lib, data: int) -> None:
    properties.set_defaults(lib, data)
    settings, problems = settings_from_values(properties.read(lib, data))
    assert settings == Settings() and not problems


def test_user_values_are_read_per_kind(lib, raw: ctypes.CDLL, data: int) -> None:
    properties.set_defaults(lib, data)
    raw.obs_data_set_string(data, b"background", b"colour")
    raw.obs_data_set_int(data, b"colour", hex_to_obs_colour("#123456"))
    raw.obs_data_set_double(data, b"threshold", 0.7)
    raw.obs_data_set_int(data, b"feather", 5)
    settings, problems = settings_from_values(properties.read(lib, data))
    assert not problems
    assert (settings.background, settings.colour, settings.threshold, settings.feather) == (
        "colour",
        "#123456",
        0.7,
        5,
    )


def test_a_colour_sent_as_text_is_read(lib, raw: ctypes.CDLL, data: int) -> None:
    raw.obs_data_set_string(data, b"colour", b"#ABCDEF")
    assert properties.read(lib, data)["colour"] == "#ABCDEF"


def test_panel_has_the_messages_then_every_setting_with_its_range_and_help(lib, raw: ctypes.CDLL) -> None:
    panel = properties.build(lib, [(libobs.OBS_TEXT_INFO_ERROR, "x")])
    try:
        found = {}
        prop = P(raw.obs_properties_first(panel))
        while prop.value:
            found[raw.obs_property_name(prop).decode()] = P(prop.value)
            if not raw.obs_property_next(ctypes.byref(prop)):
                break
        assert list(found) == [properties.STATUS_KEY.format(0), *(spec.key for spec in schema())]
        for spec in schema():
            widget = found[spec.key]
            assert raw.obs_property_long_description(widget).decode() == spec.help
            if spec.kind == "int":
                assert raw.obs_property_int_max(widget) == spec.maximum
            elif spec.kind == "float":
                assert raw.obs_property_float_max(widget) == pytest.approx(spec.maximum)
            elif spec.kind == "choice":
                assert raw.obs_property_list_item_count(widget) == len(spec.choices)
    finally:
        raw.obs_properties_destroy(panel)
