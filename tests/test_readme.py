"""The README's settings table is generated from the settings schema and must not drift from it.

Run ``BGREMOVE_UPDATE_DOCS=1 pytest tests/test_readme.py`` to rewrite the table after changing
a setting.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bgremove_core.settings import FieldSpec, schema

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- settings-table:begin -->", "<!-- settings-table:end -->"


def _range(spec: FieldSpec) -> str:
    if spec.kind in ("int", "float"):
        return f"{spec.minimum:g} to {spec.maximum:g}{spec.suffix}"
    if spec.kind == "choice":
        return ", ".join(f"`{value}`" for value, _ in spec.choices)
    return {"bool": "on / off", "colour": "#RRGGBB", "path": "file"}[spec.kind]


def _default(spec: FieldSpec) -> str:
    if spec.kind == "bool":
        return "on" if spec.default else "off"
    return f"`{spec.default}`" if spec.default != "" else "(none)"


def settings_table() -> str:
    rows = [
        "| setting (CLI flag) | what it does | values | default |",
        "|---|---|---|---|",
    ]
    for spec in schema():
        flag = f"`--{spec.key.replace('_', '-')}`" if spec.cli else "(OBS only)"
        if spec.realtime_only:
            flag += " (OBS, `live`)"
        rows.append(f"| **{spec.label}** {flag} | {spec.help} | {_range(spec)} | {_default(spec)} |")
    return "\n".join([BEGIN, *rows, END])


def test_readme_settings_table_matches_schema() -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    assert pattern.search(text), f"README.md lacks the {BEGIN} … {END} block"
    expected = settings_table()
    if os.environ.get("BGREMOVE_UPDATE_DOCS") == "1":
        README.write_text(pattern.sub(lambda _: expected, text), encoding="utf-8")
        text = README.read_text(encoding="utf-8")
    assert pattern.search(text).group(0) == expected, (
        "README.md's settings table is out of date; run BGREMOVE_UPDATE_DOCS=1 pytest tests/test_readme.py"
    )
