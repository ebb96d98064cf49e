"""A chain of threads joined by bounded queues: how a file job overlaps its stages.

Decoding and encoding run in ffmpeg child processes, and MediaPipe and OpenCV release the GIL
while they work, so one thread per stage (decode, segment, refine + compose, encode) keeps
every stage busy at once on a multi-core machine instead of running them one after another.
Bounded queues keep memory flat however long the file: a stage that runs ahead waits for the
slowest one. Items keep their order (one thread per stage, FIFO queues), so the output is the
same as a loop's.

Every thread times itself (work, waiting for input, waiting for room downstream, CPU), which is
the profile ``bgremove process --profile`` and ``bench/file_bench.py`` print. The first error in
any thread stops the others and is raised in the caller's thread; a cancel event (Ctrl-C in a
batch) stops them too and raises :class:`Cancelled`. Threads are always joined before returning.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

QUEUE_DEPTH = 4
"""Items buffered between two stages: enough to absorb jitter, few enough for 4K frames."""

_POLL_SECONDS = 0.05
"""How often a blocked thread looks at the stop flag; only blocked threads poll."""


class Cancelled(Exception):
    """The job was stopped from outside (Ctrl-C in a batch) before it finished; nothing was written."""


class _End:
    """Marks the end of a queue's items."""


@dataclass(frozen=True)
class Step:
    """One thread of the chain (a pipeline stage; not a :class:`~bgremove_core.settings.Stage`).

    Attributes:
        name: Shown in the profile (e.g. ``segment``).
        work: Turns one item into the next stage's item (the last stage's result is dropped).
        finish: Run once on this thread after the last item (e.g. flush an encoder).
    """

    name: str
    work: Callable[[Any], Any]
    finish: Callable[[], None] | None = None


@dataclass
class StageTime:
    """Where one stage's thread spent its time, in seconds.

    Attributes:
        name: The stage.
        items: Items it handled.
        busy: Wall time in its own work (decoding, the model, writing to ffmpeg...).
        cpu: CPU time of its thread (less than ``busy`` when the work waits, e.g. on a pipe).
        starved: Waiting for an item from the stage before.
        blocked: Waiting for room in the queue to the stage after.
    """

    name: str
    items: int = 0
    busy: float = 0.0
    cpu: float = 0.0
    starved: float = 0.0
    blocked: float = 0.0


@dataclass
class Profile:
    """The per-stage clock of one run, and its wall time."""

    stages: list[StageTime] = field(default_factory=list)
    seconds: float = 0.0

    def table(self) -> str:
        """A Markdown table: per stage, ms per item busy / CPU / waiting, and how busy it was."""
        lines = [
            f"Wall time {self.seconds:.2f} s.",
            "",
            "| stage | items | busy ms/item | CPU ms/item | waiting for input ms/item "
            "| waiting for output ms/item | busy % of wall |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.stages:
            n = max(s.items, 1)
            share = 100 * s.busy / self.seconds if self.seconds > 0 else 0.0
            lines.append(
                f"| {s.name} | {s.items} | {1000 * s.busy / n:.2f} | {1000 * s.cpu / n:.2f} "
                f"| {1000 * s.starved / n:.2f} | {1000 * s.blocked / n:.2f} | {share:.0f} |"
            )
        return "\n".join(lines)


class _Chain:
    """The shared state of one run: the queues, the stop flag and the first error."""

    def __init__(self, count: int, depth: int) -> None:
        self.queues: list[queue.Queue[Any]] = [queue.Queue(maxsize=depth) for _ in range(count - 1)]
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self._lock = threading.Lock()

    def fail(self, error: BaseException) -> None:
        with self._lock:
            if self.error is None:
                self.error = error
        self.stop.set()

    def put(self, index: int, item: Any, clock: StageTime) -> bool:
        started = time.perf_counter()
        try:
            while not self.stop.is_set():
                try:
                    self.queues[index].put(item, timeout=_POLL_SECONDS)
                    return True
                except queue.Full:
                    continue
            return False
        finally:
            clock.blocked += time.perf_counter() - started

    def get(self, index: int, clock: StageTime) -> Any:
        started = time.perf_counter()
        try:
            while not self.stop.is_set():
                try:
                    return self.queues[index].get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
            return _End()
        finally:
            clock.starved += time.perf_counter() - started


def _produce(chain: _Chain, source: Iterable[Any], clock: StageTime) -> None:
    iterator = iter(source)
    try:
        while not chain.stop.is_set():
            started = time.perf_counter()
            item = next(iterator, _End())
            clock.busy += time.perf_counter() - started
            if isinstance(item, _End):
                chain.put(0, item, clock)
                return
            clock.items += 1
            if not chain.put(0, item, clock):
                return
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:  # stops a generator's decoder when the chain stops early
            close()


def _transform(chain: _Chain, index: int, stage: Step, clock: StageTime) -> None:
    last = index == len(chain.queues)
    while not isinstance(item := chain.get(index - 1, clock), _End):
        started = time.perf_counter()
        out = stage.work(item)
        clock.busy += time.perf_counter() - started
        clock.items += 1
        if not last and not chain.put(index, out, clock):
            return
    if chain.stop.is_set():
        return
    started = time.perf_counter()
    if stage.finish is not None:
        stage.finish()
    clock.busy += time.perf_counter() - started
    if not last:
        chain.put(index, item, clock)


def _thread(chain: _Chain, clock: StageTime, target: Callable[[], None]) -> threading.Thread:
    def run() -> None:
        cpu = time.thread_time()
        try:
            target()
        except BaseException as exc:  # raised again by run_chain in the caller's thread
            chain.fail(exc)
        finally:
            clock.cpu = time.thread_time() - cpu

    return threading.Thread(target=run, name=f"bgremove-{clock.name}", daemon=True)


def run_chain(
    source: Iterable[Any],
    stages: Sequence[Step],
    *,
    source_name: str = "decode",
    cancel: threading.Event | None = None,
    depth: int = QUEUE_DEPTH,
) -> Profile:
    """Feed ``source`` through ``stages``, one thread each, and wait until all are done.

    Args:
        source: The items, in order (iterated on a thread of its own, named ``source_name``).
        stages: At least one; each thread hands its result to the next.
        source_name: The source thread's name in the profile.
        cancel: Set from another thread to stop the run (raises :class:`Cancelled`).
        depth: Queue size between two threads.

    Raises:
        Cancelled: ``cancel`` was set before the last item was through.
        BaseException: The first error any stage raised, unchanged.
    """
    chain = _Chain(len(stages) + 1, depth)
    profile = Profile([StageTime(source_name), *(StageTime(s.name) for s in stages)])
    threads = [_thread(chain, profile.stages[0], lambda: _produce(chain, source, profile.stages[0]))]
    for index, stage in enumerate(stages, start=1):
        clock = profile.stages[index]
        threads.append(_thread(chain, clock, partial(_transform, chain, index, stage, clock)))
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(_POLL_SECONDS)
                if cancel is not None and cancel.is_set():
                    chain.fail(Cancelled())
    except BaseException:  # Ctrl-C in this thread: stop the others before leaving
        chain.stop.set()
        for thread in threads:
            if thread.is_alive():
                thread.join()
        raise
    profile.seconds = time.perf_counter() - started
    if chain.error is not None:
        raise chain.error
    return profile
