"""Overlapping decode, compute and encode: a prefetching reader and a background writer.

Decoding and encoding happen in ffmpeg processes and the model and OpenCV release the GIL, so
one thread per stage lets all three run at once on a multi-core machine instead of one after
another. Bounded queues keep memory flat: a stage that runs ahead waits for the slowest one.
Errors in a helper thread are re-raised in the caller's thread, never lost.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

import numpy as np

from .writer import VideoWriter

T = TypeVar("T")

QUEUE_DEPTH = 4
"""Frames buffered between two stages: enough to absorb jitter, few enough for 4K frames."""

_POLL_SECONDS = 0.1


class _End:
    """Marks the end of a queue's items."""


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetcher(Generic[T]):
    """Iterates ``items`` on a helper thread, ``depth`` items ahead of the consumer.

    Use as a context manager so the helper thread (and the source it reads, e.g. an ffmpeg
    decoder) is stopped even when the consumer gives up half-way.
    """

    def __init__(self, items: Iterable[T], depth: int = QUEUE_DEPTH) -> None:
        self._items = items
        self._queue: queue.Queue[T | _End | _Failure] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="bgremove-reader", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        iterator = iter(self._items)
        try:
            for item in iterator:
                if not self._put(item):
                    return
            self._put(_End())
        except BaseException as exc:  # handed to the consumer thread
            self._put(_Failure(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def _put(self, item: T | _End | _Failure) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    def close(self) -> None:
        """Stop the helper thread and wait for it; safe to call twice."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Prefetcher[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class BackgroundWriter:
    """Hands frames to ``writer`` on a helper thread so encoding overlaps the next frame's work.

    Implements the same :class:`~.writer.VideoWriter` contract as the writer it wraps.
    """

    def __init__(self, writer: VideoWriter, depth: int = QUEUE_DEPTH) -> None:
        self._writer = writer
        self._queue: queue.Queue[np.ndarray | _End] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._consume, name="bgremove-writer", daemon=True)
        self._thread.start()

    def _consume(self) -> None:
        while not isinstance(frame := self._queue.get(), _End):
            if self._error is None:
                try:
                    self._writer.write(frame)
                except BaseException as exc:  # re-raised by write()/close() in the caller
                    self._error = exc

    def write(self, frame: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(frame)

    def close(self) -> None:
        self._queue.put(_End())
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._writer.close()

    def abort(self) -> None:
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(_End())
            self._thread.join()
        self._writer.abort()
