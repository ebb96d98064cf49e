"""Many files, each an independent job: find them, name their outputs, run them in parallel.

Every input is one idempotent unit (one input, one output written atomically), so a batch is
resumable for free: an output that exists is complete, and is skipped unless the caller asks
to overwrite. One bad input never stops the others: its error is kept with it, the rest go on.
Jobs share nothing but a pool of :class:`~bgremove_core.pipeline.Processor` (one per parallel
job), so the model is loaded once per job slot, not once per file.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from ..errors import BgRemoveError, MediaError
from ..looks import Look, choose_look
from ..media.atomic import sweep_abandoned
from ..media.files import check_input_file
from ..media.formats import H264, IMAGE_SUFFIXES, VIDEO_INPUT_SUFFIXES, output_suffix
from ..pipeline import Processor
from ..resources import Closeable
from ..settings import Settings
from .core import core_stages
from .flow import Cancelled
from .job import Plan, plan_file, run_plan
from .stats import JobStats
from .video import Progress

CORES_PER_JOB = 2
"""CPU cores one pipelined job keeps busy (its four threads plus the two ffmpeg processes); see
docs/PERFORMANCE.md, "File jobs", for the measurement behind it."""

MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_INPUT_SUFFIXES

_POLL_SECONDS = 0.2
"""How often the waiting thread wakes up, so Ctrl-C is seen at once on every platform."""


def default_jobs() -> int:
    """Parallel jobs that fit this machine: its usable cores over :data:`CORES_PER_JOB`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // CORES_PER_JOB)


@dataclass
class Outcome:
    """What became of one input.

    Attributes:
        source: The input.
        output: Its output (None when none could be named).
        plan: The checked job, once planned.
        stats: How the job went, once done.
        skipped: The output existed already (a complete file) and was kept.
        error: The sentence saying why this input failed, or None.
    """

    source: Path
    output: Path | None = None
    plan: Plan | None = None
    stats: JobStats | None = None
    skipped: bool = False
    error: str | None = None

    def fail(self, message: str) -> None:
        """Record why this input failed, naming the input if the message does not already."""
        self.error = message if str(self.source) in message else f"{self.source}: {message}"


def _media_in(folder: Path, recursive: bool, exclude: Path) -> Iterator[Path]:
    """Images and videos in ``folder`` in name order, hidden files (and ``exclude``) left out."""
    found = folder.rglob("*") if recursive else folder.iterdir()
    for path in sorted(found):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.resolve().is_relative_to(exclude):
            continue
        if path.is_file() and path.suffix.lower() in MEDIA_SUFFIXES:
            yield path


def collect(inputs: Iterable[Path], out: Path, *, alpha: bool, recursive: bool) -> list[Outcome]:
    """Every input file with its output under ``out``, in the order given (folders in name order).

    A file keeps its name (with :func:`~bgremove_core.media.formats.output_suffix`); files found in
    a folder keep their path below it. Inputs that cannot be named (missing, unsupported type, two
    inputs for one output) come back with their error already set.
    """
    outcomes: list[Outcome] = []
    claimed: dict[Path, Path] = {}
    exclude = out.resolve()
    for given in inputs:
        if given.is_dir():
            pairs = [(path, path.relative_to(given)) for path in _media_in(given, recursive, exclude)]
        else:
            pairs = [(given, Path(given.name))]
        for source, relative in pairs:
            outcome = Outcome(source)
            outcomes.append(outcome)
            try:
                check_input_file(source)
                output = out / relative.with_suffix(output_suffix(source, alpha=alpha))
            except MediaError as exc:
                outcome.fail(str(exc))
                continue
            if output in claimed:
                outcome.fail(
                    f"The input {str(source)!r} would be written to {str(output)!r}, like "
                    f"{str(claimed[output])!r}; rename one of them or process it on its own."
                )
                continue
            claimed[output] = source
            outcome.output = output
    return outcomes


def plan_all(
    outcomes: Iterable[Outcome], settings: Settings, reads: tuple[Path, ...], *, h264: H264, overwrite: bool
) -> None:
    """Plan every named input in place: skip finished ones, keep the error of bad ones."""
    for outcome in outcomes:
        if outcome.error is not None or outcome.output is None:
            continue
        if outcome.output.exists() and not overwrite:
            outcome.skipped = True
            sweep_abandoned(outcome.output)  # a killed --overwrite run of it left its temporary file
            continue
        try:
            outcome.output.parent.mkdir(parents=True, exist_ok=True)
            outcome.plan = plan_file(
                outcome.source,
                outcome.output,
                alpha=choose_look(settings) == Look.TRANSPARENT,
                reads=reads,
                h264=h264,
                overwrite=overwrite,
            )
        except (BgRemoveError, OSError) as exc:
            outcome.fail(str(exc))


class StagesPool(Closeable):
    """One :class:`Processor` per running job, reused from file to file (the model loads once)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._free: queue.SimpleQueue[Processor] = queue.SimpleQueue()
        self._all: list[Processor] = []
        self._lock = threading.Lock()
        self.release(self._new())  # the first one now, so a bad model or background fails up front

    def _new(self) -> Processor:
        stages = core_stages(self._settings)
        with self._lock:
            self._all.append(stages)
        return stages

    def acquire(self) -> Processor:
        """A free Processor, or a new one."""
        try:
            return self._free.get_nowait()
        except queue.Empty:
            return self._new()

    def release(self, stages: Processor) -> None:
        """Hand ``stages`` back for the next file."""
        self._free.put(stages)

    def close(self) -> None:
        """Close every Processor made; safe to call twice."""
        with self._lock:
            stages, self._all = self._all, []
        for s in stages:
            s.close()


def _run_one(outcome: Outcome, pool: StagesPool, cancel: threading.Event, progress: Progress) -> Outcome:
    assert outcome.plan is not None
    stages = pool.acquire()
    try:
        outcome.stats = run_plan(outcome.plan, stages, cancel=cancel, progress=progress)
    except BgRemoveError as exc:
        outcome.fail(str(exc))
    except Cancelled:
        raise
    except Exception as exc:  # one bad input never stops the others; reported with the file's name
        outcome.fail(f"Processing {str(outcome.source)!r} failed unexpectedly ({type(exc).__name__}: {exc}).")
    finally:
        pool.release(stages)
    return outcome


def run_all(
    outcomes: Iterable[Outcome],
    pool: StagesPool,
    *,
    jobs: int,
    cancel: threading.Event,
    progress: Progress,
    done: Callable[[Outcome], None],
) -> None:
    """Run every planned outcome, ``jobs`` at a time; ``done`` is called in this thread as each ends.

    Ctrl-C here (KeyboardInterrupt) sets ``cancel``, waits for the running jobs to remove their
    temporary files, and is raised again; outputs already finished stay.
    """
    planned = [o for o in outcomes if o.plan is not None]
    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="bgremove-job")
    try:
        pending: set[Future[Outcome]] = {
            executor.submit(_run_one, o, pool, cancel, progress) for o in planned
        }
        while pending:
            finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                done(future.result())
    except BaseException:
        cancel.set()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
