"""``bgremove studio [FILES...]``: the local web page (package :mod:`bgremove_studio`).

Only the options live here, so ``bgremove --help`` lists the command without importing the web
stack. :func:`run` imports :mod:`bgremove_studio` when the command runs: the core never imports
the studio at module level, and a bgremove installed without the studio's packages still works
and says how to add them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import SettingsError

HELP = "A local web page: drop recordings, pick the background on a preview, process them in a queue."

DEFAULT_FOLDER = Path("bgremove-studio")
DEFAULT_PORT = 8765
LOCAL_HOST = "127.0.0.1"
STUDIO_PACKAGES = ("starlette", "uvicorn", "anyio", "h11", "click", "idna", "typing_extensions")
"""What requirements/studio.txt installs: a missing one is named, with how to install them."""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``studio`` and its options."""
    p = subparsers.add_parser(
        "studio",
        help=HELP,
        description=HELP + " The page runs on this machine only (127.0.0.1) and nothing is uploaded "
        "anywhere: files added on the page are copied into the studio folder (FILES named here are read "
        "where they are), results are written to its "
        "output folder under their own names (as `batch` names them), and the queue (jobs and their "
        "settings) is kept there in SQLite, so a studio stopped or killed mid-job lists its finished "
        "jobs when started again and redoes the unfinished ones. Ctrl-C stops it; running jobs are "
        "cancelled cleanly and run again at the next start.",
    )
    p.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="Videos or images to list on the page at once."
    )
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"Port to serve on; 0 picks a free one. Default: {DEFAULT_PORT}.",
    )
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="Files processed at once. Default: the machine's cores divided by the cores one job keeps "
        "busy (as `batch` chooses).",
    )
    p.add_argument(
        "--folder",
        type=Path,
        default=DEFAULT_FOLDER,
        metavar="DIR",
        help=f"The studio folder: uploads, the queue database, and the output folder 'output' inside it. "
        f"Default: ./{DEFAULT_FOLDER}.",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="Write results here instead. Default: DIR/output.")
    p.add_argument(
        "--max-upload-gb",
        type=float,
        default=20.0,
        metavar="GB",
        help="Largest file the page accepts, in gigabytes. Default: 20.",
    )
    p.add_argument(
        "--host",
        default=LOCAL_HOST,
        metavar="ADDRESS",
        help=f"Address to listen on. Default: {LOCAL_HOST} (this machine only). Any other address lets "
        "other machines on the network use the page and read your files; a warning is printed.",
    )
    p.add_argument("--no-browser", action="store_true", help="Do not open the page in a browser.")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Check the options, then serve the page until Ctrl-C."""
    if args.jobs is not None and args.jobs < 1:
        raise SettingsError(f"--jobs must be at least 1, not {args.jobs}.")
    if not 0 <= args.port <= 65535:
        raise SettingsError(f"--port must be 0 to 65535, not {args.port}.")
    if args.max_upload_gb <= 0:
        raise SettingsError(f"--max-upload-gb must be more than 0, not {args.max_upload_gb:g}.")
    try:
        from bgremove_studio.serve import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in STUDIO_PACKAGES:
            raise
        raise SettingsError(
            f"bgremove studio needs packages that are not installed ({exc.name}); install them with "
            "'pip install --no-deps -r requirements/studio.txt' (or the 'studio' extra)."
        ) from exc
    return serve(args)
