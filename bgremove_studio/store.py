"""The studio's memory: uploads and jobs in one SQLite database in the studio folder.

Every change is committed at once (autocommit, WAL), so a studio killed at any instant finds
on its next start exactly the states it had written: finished jobs stay finished, and jobs that
were queued or running are queued again (:meth:`Store.recover`). Progress within a running job
is not stored (it is redone anyway); only state changes are.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

DATABASE = "studio.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    role TEXT NOT NULL,
    info TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    upload INTEGER NOT NULL REFERENCES uploads(id),
    output TEXT NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    frames INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    finished REAL
);
"""


class Role(StrEnum):
    """What an upload is for."""

    INPUT = "input"
    """A video or image to process."""
    SETTING = "setting"
    """A file a setting names: a background picture or video, a custom model."""


class State(StrEnum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


UNFINISHED = (State.QUEUED, State.RUNNING)


@dataclass(frozen=True)
class Upload:
    """A file the studio may read: copied into its folder, or named on the command line."""

    id: int
    name: str
    path: Path
    role: Role
    info: dict[str, Any]
    error: str | None


@dataclass(frozen=True)
class Job:
    """One input to one output with one set of settings (paths already resolved)."""

    id: int
    upload: int
    output: Path
    settings: dict[str, Any]
    state: State
    error: str | None
    frames: int
    seconds: float
    took: float | None
    """Wall seconds from queueing to the end (None until it ends), the time a user waited."""


class Store:
    """Thread-safe access to the database (one connection, one lock: the writes are tiny)."""

    def __init__(self, folder: Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(folder / DATABASE, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database; later calls fail."""
        with self._lock:
            self._db.close()

    def _run(self, sql: str, *params: object) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    # ------------------------------------------------------------------ uploads
    def add_upload(self, name: str, path: Path, role: Role) -> int:
        """Record a file; returns its id."""
        cursor = self._run("INSERT INTO uploads (name, path, role) VALUES (?, ?, ?)", name, str(path), role)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def describe_upload(self, upload_id: int, *, path: Path, info: dict[str, Any], error: str | None) -> None:
        """Store where a file ended up and what it holds (or why it cannot be read)."""
        self._run(
            "UPDATE uploads SET path = ?, info = ?, error = ? WHERE id = ?",
            str(path),
            json.dumps(info),
            error,
            upload_id,
        )

    def upload(self, upload_id: int) -> Upload | None:
        """One upload, or None."""
        row = self._run("SELECT * FROM uploads WHERE id = ?", upload_id).fetchone()
        return None if row is None else _upload(row)

    def uploads(self) -> list[Upload]:
        """Every upload, oldest first."""
        return [_upload(row) for row in self._run("SELECT * FROM uploads ORDER BY id").fetchall()]

    # ------------------------------------------------------------------ jobs
    def add_job(self, upload_id: int, output: Path, settings: dict[str, Any]) -> int:
        """Queue a job; returns its id."""
        cursor = self._run(
            "INSERT INTO jobs (upload, output, settings, state, created) VALUES (?, ?, ?, ?, ?)",
            upload_id,
            str(output),
            json.dumps(settings),
            State.QUEUED,
            time.time(),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def job(self, job_id: int) -> Job | None:
        """One job, or None."""
        row = self._run("SELECT * FROM jobs WHERE id = ?", job_id).fetchone()
        return None if row is None else _job(row)

    def jobs(self) -> list[Job]:
        """Every job, oldest first."""
        return [_job(row) for row in self._run("SELECT * FROM jobs ORDER BY id").fetchall()]

    def claim(self) -> Job | None:
        """Mark the oldest queued job running and return it (None when none waits)."""
        with self._lock:
            row = self._db.execute(
                "UPDATE jobs SET state = ?, error = NULL WHERE id = "
                "(SELECT id FROM jobs WHERE state = ? ORDER BY id LIMIT 1) RETURNING *",
                (State.RUNNING, State.QUEUED),
            ).fetchone()
        return None if row is None else _job(row)

    def finish(
        self, job_id: int, state: State, *, error: str | None = None, frames: int = 0, seconds: float = 0.0
    ) -> None:
        """Record how a job ended (or that it goes back to the queue)."""
        self._run(
            "UPDATE jobs SET state = ?, error = ?, frames = ?, seconds = ?, finished = ? WHERE id = ?",
            state,
            error,
            frames,
            seconds,
            None if state in UNFINISHED else time.time(),
            job_id,
        )

    def move(self, job_id: int, start: tuple[State, ...], end: State) -> bool:
        """Change a job's state if it is in one of ``start``; whether it was."""
        marks = ", ".join("?" for _ in start)
        cursor = self._run(
            f"UPDATE jobs SET state = ?, error = NULL WHERE id = ? AND state IN ({marks})",
            end,
            job_id,
            *start,
        )
        return cursor.rowcount == 1

    def outputs_in_use(self) -> set[Path]:
        """Outputs that jobs have written or will write (a new job must pick another name)."""
        rows = self._run("SELECT output FROM jobs WHERE state NOT IN (?, ?)", State.FAILED, State.CANCELLED)
        return {Path(row["output"]) for row in rows.fetchall()}


def _upload(row: sqlite3.Row) -> Upload:
    return Upload(
        row["id"], row["name"], Path(row["path"]), Role(row["role"]), json.loads(row["info"]), row["error"]
    )


def _job(row: sqlite3.Row) -> Job:
    return Job(
        row["id"],
        row["upload"],
        Path(row["output"]),
        json.loads(row["settings"]),
        State(row["state"]),
        row["error"],
        row["frames"],
        row["seconds"],
        None if row["finished"] is None else row["finished"] - row["created"],
    )
