"""Security: the filter makes no network connections.

The test re-runs itself inside a fresh network namespace (``unshare --net``) whose only
interface is loopback, brought up for OBS's local websocket. There the filter must work end to
end (a download or licence check would fail and show), its worker must never hold a socket of
any kind, and every TCP socket in the namespace must belong to the websocket the test drives.
UDP is not checked namespace-wide: OBS's own rtmp-services plugin looks up obsproject.com at
start-up for its update check, with or without this filter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.rig import GREEN, KIND, Rig, composites

INSIDE = "BGREMOVE_TEST_IN_NETNS"
SAMPLES = 10
FRAMES_BETWEEN_SAMPLES = 5
TCP_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


def _sockets(pid: int) -> list[str]:
    """The socket descriptors a process holds."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith("socket:"):
            found.append(target)
    return found


def _ports(tables: tuple[str, ...]) -> list[tuple[int, int]]:
    """(local port, remote port) of every socket in these /proc/net tables of this namespace."""
    pairs = []
    for table in tables:
        for line in Path(table).read_text().splitlines()[1:]:
            local, remote = line.split()[1:3]
            pairs.append((int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)))
    return pairs


def _filter_without_network(obs_factory, lucia_clip: Path) -> None:
    interfaces = [line.split(":")[0].strip() for line in Path("/proc/net/dev").read_text().splitlines()[2:]]
    assert interfaces == ["lo"], f"expected a namespace with loopback only, not {interfaces}"
    rig = Rig.start(obs_factory)
    rig.obs.add_media("clip", lucia_clip)
    rig.obs.add_filter("clip", "bg", KIND, GREEN)
    rig.obs.wait_rendering("clip", ready=composites(GREEN))
    (worker,) = rig.live_workers()
    for _ in range(SAMPLES):
        assert _sockets(worker) == [], "the worker process opened a socket"
        strangers = [ports for ports in _ports(TCP_TABLES) if rig.obs.port not in ports]
        assert strangers == [], f"TCP sockets other than OBS's websocket: {strangers}"
        rig.obs.wait_frames(FRAMES_BETWEEN_SAMPLES)
    rig.obs.wait_rendering("clip", ready=composites(GREEN))
    rig.obs.assert_no_script_errors()
    rig.obs.assert_clean_exit()


def test_filter_works_in_a_namespace_without_network(obs_factory, lucia_clip: Path, tmp_path: Path) -> None:
    if os.environ.get(INSIDE) == "1":
        _filter_without_network(obs_factory, lucia_clip)
        return
    unshare = ["unshare", "--net"] + (["--map-root-user"] if os.geteuid() != 0 else [])
    node = f"{Path(__file__).resolve()}::{test_filter_works_in_a_namespace_without_network.__name__}"
    pytest_args = ["-q", "-p", "no:cacheprovider", f"--basetemp={tmp_path / 'in'}", node]
    inner = [sys.executable, "-m", "pytest", *pytest_args]
    script = 'ip link set lo up && exec "$@"'
    run = subprocess.run(
        [*unshare, "sh", "-c", script, "sh", *inner],
        env={**os.environ, INSIDE: "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"the run inside the network namespace failed:\n{run.stdout}\n{run.stderr}"
    assert "1 passed" in run.stdout, run.stdout
