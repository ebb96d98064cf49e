"""The settings form as the page draws it: the schema of :mod:`bgremove_core.settings`, as JSON.

The page builds one control per field from this (a slider for a number, a switch for on/off, a
list for a choice, a colour picker, a file upload for a path), so a new setting appears on the
page as it appears as a CLI flag and in the OBS panel: by being declared in the schema. The page
offers the settings ``bgremove process`` offers (file jobs), not OBS-only or live-only ones.

A path setting is sent back as the id of a file uploaded to the studio (as the background
picture, for example), never as a path: the page can only name files the studio holds.
"""

from __future__ import annotations

from typing import Any

from bgremove_core.cli.options import offered
from bgremove_core.errors import SettingsError
from bgremove_core.settings import Settings, schema

from .store import Role, Store


def fields() -> list[dict[str, Any]]:
    """Every setting a file job offers, in the schema's order, with its range and labels."""
    return [
        {
            "key": spec.key,
            "kind": spec.kind,
            "default": spec.default,
            "label": spec.label,
            "help": spec.help,
            "minimum": spec.minimum,
            "maximum": spec.maximum,
            "step": spec.step,
            "choices": [list(choice) for choice in spec.choices],
            "suffix": spec.suffix,
            "accept": _accept(spec.file_filter),
        }
        for spec in schema()
        if offered(spec, realtime=False)
    ]


def _accept(file_filter: str) -> str:
    """A Qt filter ("Images (*.png *.jpg);;All files (*.*)") as an HTML accept list (".png,.jpg")."""
    first = file_filter.split(";;")[0]
    inside = first[first.find("(") + 1 : first.rfind(")")]
    return ",".join(pattern.lstrip("*") for pattern in inside.split() if pattern != "*.*")


def settings_from_page(values: dict[str, Any], store: Store) -> Settings:
    """The Settings the page asks for, with its file ids turned into the studio's files.

    Raises:
        SettingsError: A value is out of range (the schema's sentence) or names no studio file.
    """
    resolved = dict(values)
    for spec in schema():
        if spec.kind != "path" or not resolved.get(spec.key):
            continue
        value = resolved[spec.key]
        upload = store.upload(value) if isinstance(value, int) else None
        if upload is None or upload.role != Role.SETTING:
            raise SettingsError(f"Setting '{spec.key}' ({spec.label}) must name a file added to the studio.")
        resolved[spec.key] = str(upload.path)
    return Settings.from_mapping(resolved)
