"""Settings repair and colour conversion of the OBS adapter (no OBS needed)."""

from __future__ import annotations

import math

import pytest

from bgremove_core.settings import Settings, schema
from bgremove_obs.host.values import hex_to_obs_colour, obs_colour_to_hex, settings_from_values


@pytest.mark.parametrize("text", ["#00B140", "#FF0000", "#0000FF", "#123456"])
def test_colour_round_trip(text: str) -> None:
    assert obs_colour_to_hex(hex_to_obs_colour(text)) == text


def test_obs_colour_is_abgr() -> None:
    assert hex_to_obs_colour("#FF0000") == 0xFF0000FF
    assert obs_colour_to_hex(0x00FF0000) == "#0000FF"


def test_valid_values_pass_unchanged() -> None:
    values = Settings(threshold=0.7, background="colour").to_mapping()
    settings, problems = settings_from_values(values)
    assert settings == Settings(threshold=0.7, background="colour")
    assert problems == ()


def test_out_of_range_numbers_are_clamped_with_a_sentence() -> None:
    settings, problems = settings_from_values({"threshold": 7.5, "feather": -40})
    spec = {s.key: s for s in schema()}
    assert settings.threshold == spec["threshold"].maximum
    assert settings.feather == spec["feather"].minimum
    assert len(problems) == 2
    assert "Using 0.95 instead." in problems[0]


@pytest.mark.parametrize(
    ("key", "raw"),
    [("threshold", math.nan), ("blur_strength", math.inf), ("model", "nonsense"), ("colour", "green")],
)
def test_unusable_values_fall_back_to_the_default(key: str, raw: object) -> None:
    settings, problems = settings_from_values({key: raw})
    assert getattr(settings, key) == getattr(Settings(), key)
    assert len(problems) == 1 and key in problems[0] and "default" in problems[0]
