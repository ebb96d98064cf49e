"""The entry point: --version, generated --help, settings flags, and ``bench`` wiring."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bgremove_core import __version__
from bgremove_core.cli.main import COMMANDS, build_parser, main
from bgremove_core.cli.options import flag, offered, settings_from_args
from bgremove_core.settings import Settings, schema
from tests.support.clirun import run_cli

SETTINGS_COMMANDS = ("process", "preview", "live")


def test_version_answers_before_heavy_imports() -> None:
    code = (
        "import sys\n"
        "from bgremove_core.cli.main import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('cv2', 'mediapipe', 'numpy', 'tqdm') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.splitlines() == [f"bgremove {__version__}", "[]"]


def test_module_entry_point_runs() -> None:
    run = run_cli(["--version"])
    assert (run.code, run.out.strip()) == (0, f"bgremove {__version__}")


@pytest.mark.parametrize("command", SETTINGS_COMMANDS)
def test_help_explains_every_setting_from_the_schema(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    realtime = command == "live"
    for spec in schema():
        if not offered(spec, realtime=realtime):
            assert flag(spec) not in text
            continue
        assert flag(spec) in text
        assert " ".join(spec.help.split()) in text
        if spec.kind == "bool":
            assert "--no-" + flag(spec)[2:] in text
        if spec.minimum is not None:
            assert f"Range {spec.minimum:g} to {spec.maximum:g}" in text
    assert text.count("Default:") >= sum(offered(spec, realtime=realtime) for spec in schema())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: bgremove {command}" in capsys.readouterr().out


def test_flags_become_settings_and_defaults_come_from_settings() -> None:
    parser = build_parser()
    args = parser.parse_args(["process", "a.mp4", "b.mp4"])
    assert settings_from_args(args) == Settings()
    args = parser.parse_args(
        ["process", "a.mp4", "b.mp4", "--threshold", "0.7", "--no-edge-refine", "--background", "colour"]
    )
    assert settings_from_args(args) == Settings(threshold=0.7, edge_refine=False, background="colour")


def test_unknown_arguments_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["process", "a.mp4", "b.mp4", "--no-such-flag"])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


@pytest.mark.slow  # a real benchmark run: seconds when idle, far more on a busy machine
def test_bench_quick_speed_run(cli) -> None:
    run = cli("bench", "speed", "--sizes", "720p", "--models", "landscape")
    assert run.code == 0, run.err
    assert "720p" in run.out and "landscape" in run.out
