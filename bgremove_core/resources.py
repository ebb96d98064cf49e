"""`with` support for everything that holds a model, a worker or an open file."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closeable:
    """Mixin for classes with an idempotent ``close()``: ``with X(...) as x:`` closes on exit."""

    def close(self) -> None:
        """Release what the object holds; subclasses make calling it twice safe."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
