"""``bgremove studio``: make the folders, start the workers, serve the page until Ctrl-C.

The listening socket is bound before anything is printed, so the printed address is the one in
use (``--port 0`` picks a free port, which tests rely on). uvicorn turns Ctrl-C (or SIGTERM) into
a graceful stop; the workers are then stopped, which cancels running jobs cleanly: their
temporary files are deleted and they stay queued, so the next start runs them again.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import secrets
import signal
import socket
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from bgremove_core.cli.console import PROG, warn
from bgremove_core.errors import SettingsError
from bgremove_core.filejob import opencv_threads
from bgremove_core.filejob.batch import default_jobs

from .app import Studio, build_app
from .preview import Previewer
from .store import Store
from .uploads import sweep_temporaries
from .workers import Workers

LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
SHUTDOWN_SECONDS = 3
"""How long Ctrl-C waits for open requests (an upload in progress) before closing them."""


class _Server(uvicorn.Server):
    """uvicorn's server, except that Ctrl-C and SIGTERM end :func:`serve` normally.

    uvicorn raises the signal again once it has stopped (so a plain script dies of it); the
    studio still has to stop its workers, so it takes the signals itself and returns.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SettingsError(
            f"Cannot listen on {host} port {port} ({exc.strerror or exc}); pass another --port, or --port 0 "
            "for any free one."
        ) from exc
    sock.listen(128)
    return sock


def _hosts(host: str, port: int) -> list[str] | None:
    """The Host names the studio answers to, or None when it listens on every address."""
    address = ipaddress.ip_address(host) if host != "localhost" else None
    if address is not None and address.is_unspecified:
        return None
    shown = f"[{host}]" if ":" in host else host
    return [f"{name}:{port}" for name in (*LOCAL_NAMES, shown)]


def serve(args: argparse.Namespace) -> int:
    """Run the studio until Ctrl-C; returns the exit code."""
    folder: Path = args.folder.resolve()
    out: Path = (args.out or folder / "output").resolve()
    uploads = folder / "uploads"
    for path in (folder, uploads, out):
        if path.exists() and not path.is_dir():
            raise SettingsError(f"{str(path)!r} is a file; the studio needs a folder there.")
        path.mkdir(parents=True, exist_ok=True)
    for given in args.files:
        if not given.is_file():
            raise SettingsError(f"The input {str(given)!r} does not exist or is not a file.")
    local = args.host in ("127.0.0.1", "localhost", "::1")
    if not local:
        try:
            ipaddress.ip_address(args.host)
        except ValueError as exc:
            raise SettingsError(f"--host must be an IP address, not {args.host!r}.") from exc
    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    sweep_temporaries(uploads)
    store = Store(folder)
    workers = Workers(store, args.jobs or default_jobs())
    studio = Studio(
        uploads, out, store, workers, Previewer(), secrets.token_urlsafe(24), int(args.max_upload_gb * 1e9)
    )
    for given in args.files:
        studio.add_file(given)
    app = build_app(studio, hosts=_hosts(args.host, port))
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{'127.0.0.1' if args.host == 'localhost' else shown}:{port}/"
    if not local:
        warn(
            f"listening on {args.host}: other machines on the network can open the studio, add files and "
            "download results; use it only on a network you trust."
        )
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    server = _Server(config)
    with opencv_threads():
        workers.start()
        print(
            f"{PROG} studio: open {url} (folder {folder}, results in {out}, {workers.count} "
            f"job{'s' if workers.count != 1 else ''} at once; Ctrl-C to stop)",
            flush=True,
        )
        if not args.no_browser:
            webbrowser.open(url)
        try:
            server.run(sockets=[sock])
        finally:
            workers.stop()
            studio.previewer.close()
            store.close()
            sock.close()
    print(f"{PROG} studio: stopped; unfinished jobs run again at the next start.", flush=True)
    return 0
