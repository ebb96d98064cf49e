"""Nothing is ever written outside the studio folder and the output folder (issue 22, item 3).

The studio runs under ``strace -ff`` (one log per thread, so no call is split across lines) while
a video is added, previewed and processed through its HTTP API, and then stopped. Every call that
creates, writes, renames, links or deletes a file must name a path inside the studio folder; the
only exceptions are what libraries do with the temporary folder without leaving anything there
(an anonymous ``O_TMPFILE``, Python's probe file created and deleted again) and ``/dev/null``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.support.procs import wait_until
from tests.support.studio import Studio

pytestmark = pytest.mark.slow  # under strace, a studio and a whole job take a while

OPEN = re.compile(r'^(?:openat\(AT_FDCWD|open|creat)\(?, ?"([^"]+)", ([A-Z_|]+)')
CHANGE = re.compile(
    r"^(rename|renameat2?|unlink|unlinkat|mkdir|mkdirat|link|linkat|symlink)\((.*)\) += (-?\d+)"
)
WRITES = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")


def _writes(logs: list[Path]) -> list[tuple[str, str]]:
    """(call, path) of every successful or attempted write-like file call in the strace logs."""
    found = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            opened = OPEN.match(line)
            if opened and any(flag in opened.group(2) for flag in WRITES):
                found.append((f"open {opened.group(2)}", opened.group(1)))
            changed = CHANGE.match(line)
            if changed and changed.group(3) == "0":
                found += [(changed.group(1), path) for path in re.findall(r'"([^"]+)"', changed.group(2))]
    return found


def test_a_whole_session_writes_only_inside_the_studio_folder(tmp_path: Path, lucia_clip: Path) -> None:
    strace = shutil.which("strace")
    if strace is None:
        pytest.fail("strace must be installed to watch the studio's file calls (apt-get install strace).")
    logs = tmp_path / "strace"
    logs.mkdir()
    folder = tmp_path / "studio"
    prefix = (strace, "-ff", "-qq", "-e", "trace=%file,creat", "-o", str(logs / "call"))
    studio = Studio(folder, prefix=prefix).start()
    try:
        status, added = studio.request("api/uploads?name=lucia.mp4", lucia_clip.read_bytes(), method="PUT")
        assert status == 201, added
        status, _ = studio.request("api/preview", {"upload": added["id"], "at": 1.0, "settings": {}})
        assert status == 200
        status, job = studio.request(
            "api/jobs", {"upload": added["id"], "settings": {"background": "transparent"}}
        )
        assert status == 201
        wait_until(lambda: studio.jobs()[job["id"]]["state"] == "done", what="the job")
    finally:
        assert studio.stop() == 0
    temp = Path(tempfile.gettempdir())
    writes = _writes(sorted(logs.iterdir()))
    assert any(Path(path).parent == folder / "output" for _, path in writes), "strace must see the output"
    created_in_temp = {path for call, path in writes if call.startswith("open") and Path(path).parent == temp}
    deleted_in_temp = {
        path for call, path in writes if call.startswith("unlink") and Path(path).parent == temp
    }
    outside = [
        (call, path)
        for call, path in writes
        if not Path(path).resolve().is_relative_to(folder.resolve())
        and path != "/dev/null"
        and not (path == str(temp) and "O_TMPFILE" in call)  # anonymous: never has a name
        and not (path in created_in_temp and path in deleted_in_temp)  # made and deleted again
    ]
    assert outside == []
