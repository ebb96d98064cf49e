"""Run the bgremove CLI under a Python audit hook and save what it did: ``audited_main.py LOG ARGS...``.

The hook (PEP 578) sees every socket call, every child process and every file open made through
Python in this process, including from libraries; it cannot see what native code (OpenCV's
decoders) opens by itself, which test_security.py watches with strace instead. Events are
written as JSON to LOG when the CLI returns, and the CLI's exit code is passed on.
"""

from __future__ import annotations

import json
import sys

NETWORK_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.sendto",
        "socket.sendmsg",
        "http.client.connect",
        "urllib.Request",
        "ftplib.connect",
        "smtplib.connect",
    }
)
SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.system"})


def main() -> int:
    log, argv = sys.argv[1], sys.argv[2:]
    events: list[dict[str, object]] = []

    def hook(event: str, args: tuple) -> None:
        if event in NETWORK_EVENTS:
            events.append({"event": event, "args": repr(args)})
        elif event in SPAWN_EVENTS:
            events.append({"event": event, "program": str(args[0])})
        elif event == "open" and isinstance(args[0], str | bytes):
            path = args[0].decode(errors="replace") if isinstance(args[0], bytes) else args[0]
            events.append({"event": "open", "path": path, "flags": args[2]})

    sys.addaudithook(hook)
    from bgremove_core.cli.main import main as cli

    code = cli(argv)
    with open(log, "w", encoding="utf-8") as f:
        json.dump(events, f)
    return code


if __name__ == "__main__":
    sys.exit(main())
