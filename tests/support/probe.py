"""Test-only OBS script: reads a filter's properties-panel messages, which no websocket request can.

The reliability tests check that a fault is explained where the user looks: OBS's log *and* the
top of the filter's properties. This script, loaded into the test's OBS next to the product
script, answers one kind of question through files in ``$BGREMOVE_PROBE_DIR``: the test writes
``<id>.request`` holding ``{"source": ..., "filter": ...}``; a timer here builds that filter's
properties exactly as the Filters dialog does (``obs_source_properties``) and writes the text of
the ``bgremove_status_N`` lines to ``<id>.json`` (to a temporary name first, then renamed).

Runs inside OBS's embedded Python: standard library and ``obspython`` only.
"""

import json
import os
from pathlib import Path

import obspython as obs

PROBE_DIR_ENV = "BGREMOVE_PROBE_DIR"
STATUS_KEY = "bgremove_status_{}"
POLL_MS = 200


def _messages(source_name: str, filter_name: str) -> list[str]:
    source = obs.obs_get_source_by_name(source_name)
    if source is None:
        raise LookupError(f"no source named {source_name!r}")
    try:
        target = obs.obs_source_get_filter_by_name(source, filter_name)
        if target is None:
            raise LookupError(f"source {source_name!r} has no filter named {filter_name!r}")
        try:
            props = obs.obs_source_properties(target)
            lines = []
            while (line := obs.obs_properties_get(props, STATUS_KEY.format(len(lines)))) is not None:
                lines.append(obs.obs_property_description(line))
            obs.obs_properties_destroy(props)
            return lines
        finally:
            obs.obs_source_release(target)
    finally:
        obs.obs_source_release(source)


def _answer_requests() -> None:
    directory = Path(os.environ[PROBE_DIR_ENV])
    for request in directory.glob("*.request"):
        try:
            asked = json.loads(request.read_text(encoding="utf-8"))
            reply = {"messages": _messages(asked["source"], asked["filter"])}
        except Exception as exc:  # a timer callback must not raise; the test reads the error
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        partial = request.with_suffix(".partial")
        partial.write_text(json.dumps(reply), encoding="utf-8")
        os.replace(partial, request.with_suffix(".json"))
        request.unlink()


def script_description() -> str:
    return "bgremove reliability probe: lets tests read a filter's properties-panel messages."


def script_load(_settings: object) -> None:
    Path(os.environ[PROBE_DIR_ENV]).mkdir(parents=True, exist_ok=True)
    obs.timer_add(_answer_requests, POLL_MS)
    print("bgremove probe ready")


def script_unload() -> None:
    obs.timer_remove(_answer_requests)
