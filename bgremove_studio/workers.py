"""N threads that take queued jobs from the store and run each as a one-file ``bgremove batch``.

A job is planned and run by :func:`bgremove_core.filejob.batch.plan_all` and
:func:`~bgremove_core.filejob.batch.run_all`, so it refuses, fails and names its failures in
exactly the sentences ``bgremove batch`` prints, and writes its output atomically. On start,
jobs a killed studio left running are put back in the queue (their temporary output swept), or
marked done when their output was already renamed into place (an output that exists is complete).
On stop, running jobs are cancelled, their temporary files deleted, and they stay queued.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bgremove_core.cli.options import settings_inputs
from bgremove_core.errors import BgRemoveError
from bgremove_core.filejob import Cancelled, JobStats
from bgremove_core.filejob.batch import Outcome, StagesPool, plan_all, run_all
from bgremove_core.media.atomic import sweep_abandoned
from bgremove_core.media.formats import DEFAULT_H264
from bgremove_core.settings import Settings

from .store import Job, State, Store

IDLE_SECONDS = 0.5
"""How long an idle worker sleeps before looking at the queue again (it is woken on every submit)."""


@dataclass
class Live:
    """A running job's progress, kept in memory only (a restarted job starts again at 0)."""

    total: int = 0
    frames: int = 0
    started: float = field(default_factory=time.monotonic)

    def advance(self, frames: int) -> None:
        """Count frames handed to the encoder (called on the job's encoding thread)."""
        self.frames += frames

    def rates(self) -> tuple[float, float | None]:
        """(frames per second so far, seconds left at that rate or None before the first frame)."""
        elapsed = time.monotonic() - self.started
        fps = self.frames / elapsed if elapsed > 0 else 0.0
        return fps, ((self.total - self.frames) / fps if fps > 0 else None)


def run_job(
    source: Path, job: Job, cancel: threading.Event, live: Live
) -> tuple[State, str | None, JobStats | None]:
    """Run one job to its end: (its final state, the failure sentence, how it went).

    Raises:
        Cancelled: ``cancel`` was set before the output was complete (nothing is left behind).
    """
    outcome = Outcome(source, job.output)
    try:
        settings = Settings.from_mapping(job.settings)
        plan_all([outcome], settings, tuple(settings_inputs(settings)), h264=DEFAULT_H264, overwrite=False)
        if outcome.plan is not None:
            live.total = outcome.plan.count
            live.started = time.monotonic()
            with StagesPool(settings) as pool:
                run_all([outcome], pool, jobs=1, cancel=cancel, progress=live.advance, done=lambda _: None)
    except BgRemoveError as exc:  # the settings or the model/background, before any frame
        outcome.fail(str(exc))
    if outcome.error is not None:
        return State.FAILED, outcome.error, None
    return State.DONE, None, outcome.stats


class Workers:
    """The job threads and what the page asks of them: progress, cancel, wake up."""

    def __init__(self, store: Store, count: int) -> None:
        self._store = store
        self.count = count
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._cancels: dict[int, threading.Event] = {}
        self._live: dict[int, Live] = {}
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Recover what a killed studio left running, then start the threads."""
        for job in self._store.jobs():
            if job.state == State.RUNNING:
                if job.output.exists():
                    self._store.finish(job.id, State.DONE)
                else:
                    sweep_abandoned(job.output)
                    self._store.move(job.id, (State.RUNNING,), State.QUEUED)
        for number in range(self.count):
            thread = threading.Thread(target=self._loop, name=f"studio-worker-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Tell idle workers that a job was queued."""
        with self._wake:
            self._wake.notify_all()

    def live(self, job_id: int) -> Live | None:
        """The progress of a running job."""
        with self._lock:
            return self._live.get(job_id)

    def cancel(self, job_id: int) -> bool:
        """Cancel a queued or running job; whether there was one to cancel."""
        if self._store.move(job_id, (State.QUEUED,), State.CANCELLED):
            return True
        with self._lock:
            event = self._cancels.get(job_id)
        if event is None:
            return False
        event.set()
        return True

    def stop(self) -> None:
        """Cancel running jobs (they stay queued for the next start) and wait for the threads."""
        self._stop.set()
        with self._lock:
            for event in self._cancels.values():
                event.set()
        self.wake()
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self._store.claim()
            if job is None:
                with self._wake:
                    self._wake.wait(IDLE_SECONDS)
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        upload = self._store.upload(job.upload)
        assert upload is not None  # a job is only queued for an existing upload
        cancel, live = threading.Event(), Live()
        with self._lock:
            self._cancels[job.id], self._live[job.id] = cancel, live
        try:
            state, error, stats = run_job(upload.path, job, cancel, live)
        except Cancelled:
            state, error, stats = State.CANCELLED, None, None
        finally:
            with self._lock:
                del self._cancels[job.id], self._live[job.id]
        if self._stop.is_set() and state != State.DONE:
            state, error = State.QUEUED, None  # Ctrl-C reached its ffmpeg too: not the file's fault
        frames, seconds = (stats.frames, stats.seconds) if stats is not None else (0, 0.0)
        self._store.finish(job.id, state, error=error, frames=frames, seconds=seconds)
