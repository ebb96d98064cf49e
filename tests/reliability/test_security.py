"""Security (issue 5, item 5): no network, settings files only ever read, a pinned install.

- The CLI's file and demo commands run inside a network namespace that has no interface
  (``unshare -n``, root as in CI), so nothing they do can need the network.
- Under a Python audit hook, a whole run makes no socket call, starts only ffmpeg/ffprobe, and
  opens the files the settings name (background image, background video, custom model) with
  read-only flags; strace shows the same for what native code (OpenCV) opens by itself.
- The install scripts never pipe a download into a shell, and every requirement is pinned.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reltools import Media

from tests.support.clirun import run_cli

REPO = Path(__file__).resolve().parents[2]
AUDITED_MAIN = Path(__file__).with_name("audited_main.py")
ALLOWED_PROGRAMS = {"ffmpeg", "ffprobe"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


@pytest.fixture(scope="module")
def unshare() -> list[str]:
    """The prefix that runs a command without any network, checked to really cut it off."""
    prefix = ["unshare", "--net"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 2)"],
        capture_output=True,
        text=True,
    )
    if "Network is unreachable" not in probe.stderr:
        pytest.fail(f"'unshare --net' must work here (root, util-linux), it said: {probe.stderr[-300:]}")
    return prefix


def test_process_runs_without_any_network(unshare: list[str], media: Media, tmp_path: Path) -> None:
    out = tmp_path / "o.mp4"
    args = ["process", media.clip, out, "--background", "video", "--video", media / "anim.gif"]
    run = run_cli(args, prefix=unshare)
    assert run.code == 0, run.err[-2000:]
    assert out.stat().st_size > 0


def test_demo_runs_without_any_network(unshare: list[str], tmp_path: Path) -> None:
    run = run_cli(["demo", "--seconds", "1", "--out", tmp_path / "demo", "--quiet"], prefix=unshare)
    assert run.code == 0, run.err[-2000:]
    assert {p.name for p in (tmp_path / "demo").iterdir()} >= {"blur.mp4", "image.mp4", "sheet.png"}


@pytest.fixture(scope="module")
def settings_files(media: Media, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One file per path setting, each in a folder of its own so no other access is mistaken for it."""
    from bgremove_core.models import resolve_model

    folder = tmp_path_factory.mktemp("settings files")
    return {
        "image": Path(shutil.copy(media / "cmyk.jpg", folder / "background image.jpg")),
        "video": Path(shutil.copy(media / "anim.gif", folder / "background video.gif")),
        "model_path": Path(shutil.copy(resolve_model("landscape").path, folder / "custom model.tflite")),
    }


RUNS = {
    "image": (
        "person",
        "o.png",
        ("--background", "image", "--image", "{image}", "--model-path", "{model_path}"),
    ),
    "video": (
        "clip",
        "o.mp4",
        ("--background", "video", "--video", "{video}", "--model-path", "{model_path}"),
    ),
}
"""(input, output, settings) of the two runs that between them read every path setting."""


def _run_args(case: str, media: Media, files: dict[str, Path], out_dir: Path) -> list[object]:
    source, name, settings = RUNS[case]
    return ["process", getattr(media, source), out_dir / name, *(a.format(**files) for a in settings)]


@pytest.mark.parametrize("case", list(RUNS))
def test_audit_hook_sees_no_socket_and_read_only_settings_files(
    media: Media, settings_files: dict[str, Path], tmp_path: Path, case: str
) -> None:
    before = {key: path.read_bytes() for key, path in settings_files.items()}
    log = tmp_path / "audit.json"
    args = _run_args(case, media, settings_files, tmp_path)
    proc = subprocess.run(
        [sys.executable, AUDITED_MAIN, log, *map(str, args)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = json.loads(log.read_text(encoding="utf-8"))

    assert [e for e in events if e["event"].startswith(("socket", "http", "urllib", "ftp", "smtp"))] == []
    programs = {Path(e["program"]).name for e in events if "program" in e}
    assert programs <= ALLOWED_PROGRAMS, programs

    watched = {str(p) for p in settings_files.values()}
    opens = [e for e in events if e["event"] == "open" and e["path"] in watched]
    assert opens, "the hook must see the settings files being read, or it proves nothing"
    assert all(e["flags"] & WRITE_FLAGS == 0 for e in opens), opens
    assert {key: path.read_bytes() for key, path in settings_files.items()} == before


@pytest.fixture(scope="module")
def strace() -> str:
    found = shutil.which("strace")
    if found is None:
        pytest.fail("strace must be installed to watch native file opens (apt-get install strace).")
    return found


_SYSCALL = re.compile(r'^\d+\s+(\w+)\((?:AT_FDCWD|-?\d+), "((?:[^"\\]|\\.)*)"(?:, ([A-Z_|]+))?')


def test_strace_sees_settings_files_opened_read_only_by_native_code(
    strace: str, media: Media, settings_files: dict[str, Path], tmp_path: Path
) -> None:
    log = tmp_path / "strace.log"
    args = _run_args("video", media, settings_files, tmp_path)
    prefix = [strace, "-f", "-qq", "-e", "trace=%file", "-o", str(log)]
    run = run_cli(args, prefix=prefix, env={**os.environ, "LC_ALL": "C"})
    assert run.code == 0, run.err[-2000:]

    calls: dict[str, list[tuple[str, str]]] = {key: [] for key in settings_files}
    by_path = {str(path): key for key, path in settings_files.items()}
    for line in log.read_text(errors="replace").splitlines():
        match = _SYSCALL.match(line)
        if match and match[2] in by_path:
            calls[by_path[match[2]]].append((match[1], match[3] or ""))
    assert calls["video"], "OpenCV opens the background video natively: strace must see it"
    assert calls["model_path"]
    for key, seen in calls.items():
        for syscall, flags in seen:
            assert syscall in {"open", "openat", "stat", "newfstatat", "lstat", "access", "statx"}, (
                key,
                syscall,
            )
            if syscall in {"open", "openat"}:
                assert "O_RDONLY" in flags.split("|"), (key, flags)
                assert not {"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"} & set(flags.split("|")), (key, flags)


PIPE_TO_SHELL = re.compile(
    r"(curl|wget|fetch|Invoke-WebRequest|Invoke-RestMethod|\biwr\b|\birm\b|DownloadString)[^\n]*"
    r"\|\s*(sudo\s+)?(\w*sh\b|iex\b|Invoke-Expression\b|python)"
    r"|(\w*sh|iex|Invoke-Expression)\s*[(<]\s*\$?\(?\s*(curl|wget|iwr|irm|Invoke-WebRequest)",
    re.IGNORECASE,
)
INSTALL_SCRIPTS = (
    "install/install.sh",
    "install/install.ps1",
    "install/install.py",
    "bgremove_obs/host/installer.py",
    "install/system-deps.sh",
    "tests/windows/prefix.sh",
    "Makefile",
)


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSL https://example.com/x.sh | sh",
        "wget -qO- https://example.com/x | sudo bash",
        "iwr https://example.com/x.ps1 | iex",
        "bash <(curl -s https://example.com/x)",
        "iex (irm https://example.com/x.ps1)",
    ],
)
def test_pipe_to_shell_pattern_catches_the_usual_forms(line: str) -> None:
    assert PIPE_TO_SHELL.search(line)


@pytest.mark.parametrize("script", INSTALL_SCRIPTS)
def test_install_scripts_never_pipe_a_download_into_a_shell(script: str) -> None:
    text = (REPO / script).read_text(encoding="utf-8")
    assert PIPE_TO_SHELL.findall(text) == []


PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[0-9][A-Za-z0-9.+!-]*$")


def test_every_requirement_is_pinned() -> None:
    files = sorted((REPO / "requirements").glob("*.txt"))
    assert files
    for path in files:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            include = re.fullmatch(r"-r\s+(\S+)", line)
            if include:
                assert (path.parent / include[1]).is_file(), f"{path.name}:{number} includes a missing file"
                continue
            assert PINNED.match(line), f"{path.name}:{number} is not pinned with ==: {raw!r}"
