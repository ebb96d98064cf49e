"""The settings schema: one validated source of defaults, ranges and labels."""

from __future__ import annotations

import dataclasses

import pytest

from bgremove_core.errors import SettingsError
from bgremove_core.settings import Background, ModelName, Settings, schema


def test_schema_matches_the_dataclass_and_defaults_validate():
    keys = [spec.key for spec in schema()]
    assert keys == [f.name for f in dataclasses.fields(Settings)]
    defaults = Settings()
    for spec in schema():
        assert getattr(defaults, spec.key) == spec.default
        assert spec.label and spec.help.endswith(".")
        if spec.kind in ("int", "float"):
            assert spec.minimum <= spec.default <= spec.maximum


def test_choices_cover_the_enums():
    by_key = {spec.key: spec for spec in schema()}
    assert [v for v, _ in by_key["background"].choices] == [b.value for b in Background]
    assert [v for v, _ in by_key["model"].choices] == [m.value for m in ModelName]


def test_mapping_round_trip():
    s = Settings(threshold=0.6, background="colour", colour="#abcdef")
    assert Settings.from_mapping(s.to_mapping()) == s
    assert s.colour == "#ABCDEF"
    assert s.colour_bgr == (0xEF, 0xCD, 0xAB)


def test_unknown_keys_are_refused_unless_ignored():
    with pytest.raises(SettingsError, match=r"Unknown setting.*blurr"):
        Settings.from_mapping({"blurr": 3})
    assert Settings.from_mapping({"blurr": 3}, ignore_unknown=True) == Settings()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"threshold": 1.5}, "between 0.05 and 0.95"),
        ({"feather": 2.5}, "whole number"),
        ({"feather": True}, "number"),
        ({"smoothing": float("nan")}, "finite"),
        ({"edge_refine": "yes"}, "true or false"),
        ({"background": "sparkles"}, "one of blur"),
        ({"colour": "green"}, "colour like"),
        ({"image": 3}, "text"),
    ],
)
def test_invalid_values_name_the_setting(changes, says):
    key = next(iter(changes))
    with pytest.raises(SettingsError, match=says) as info:
        Settings(**changes)
    assert key in str(info.value)
    with pytest.raises(SettingsError):
        Settings().replace(**changes)
