"""Settings flags generated from :func:`bgremove_core.settings.schema`, never restated by hand.

Every schema field marked ``cli`` becomes one flag (``edge_refine`` -> ``--edge-refine`` /
``--no-edge-refine``) whose help shows the field's label, help sentence, range and default.
Flags default to "not given", so only what the user typed is passed to :class:`Settings`, which
fills in the defaults and validates ranges with its own sentences.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..settings import FieldSpec, Settings, schema

_TYPES: dict[str, type] = {"int": int, "float": float}


def flag(spec: FieldSpec) -> str:
    """The command-line flag of a setting."""
    return "--" + spec.key.replace("_", "-")


def _help(spec: FieldSpec) -> str:
    parts = [f"{spec.label}: {spec.help}"]
    if spec.minimum is not None and spec.maximum is not None:
        parts.append(f"Range {spec.minimum:g} to {spec.maximum:g}{spec.suffix}.")
    if spec.choices:
        parts.append("Choices: " + "; ".join(f"{value} = {label}" for value, label in spec.choices) + ".")
    default = spec.default if spec.default != "" else "none"
    if spec.kind == "bool":
        default = "on" if spec.default else "off"
    parts.append(f"Default: {default}.")
    return " ".join(parts).replace("%", "%%")


def _metavar(spec: FieldSpec) -> str | None:
    return {"colour": "#RRGGBB", "path": "FILE", "int": "N", "float": "X"}.get(spec.kind)


def offered(spec: FieldSpec, *, realtime: bool) -> bool:
    """Whether a command (live when ``realtime``, else a file command) has a flag for ``spec``."""
    return spec.cli and (realtime or not spec.realtime_only)


def add_settings_arguments(parser: argparse.ArgumentParser, *, realtime: bool = False) -> None:
    """Add one flag per setting the command offers to ``parser``, in a group of its own."""
    group = parser.add_argument_group("settings (the same as in the OBS filter)")
    for spec in schema():
        if not offered(spec, realtime=realtime):
            continue
        kwargs: dict[str, Any] = {"dest": spec.key, "default": None, "help": _help(spec)}
        if spec.kind == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        elif spec.kind == "choice":
            kwargs["choices"] = [value for value, _ in spec.choices]
        else:
            kwargs["type"] = _TYPES.get(spec.kind, str)
            kwargs["metavar"] = _metavar(spec)
        group.add_argument(flag(spec), **kwargs)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The Settings the user asked for; raises SettingsError (with its sentence) if out of range."""
    given = {spec.key: getattr(args, spec.key, None) for spec in schema() if spec.cli}
    return Settings.from_mapping({key: value for key, value in given.items() if value is not None})


def settings_inputs(settings: Settings) -> list[Path]:
    """Files the settings read (background image/video, custom model), which no output may replace."""
    return [Path(p) for p in (settings.image, settings.video, settings.model_path) if p]
