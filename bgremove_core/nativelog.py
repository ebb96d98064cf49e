"""Keep MediaPipe's start-up chatter off the user's terminal, and nothing else.

MediaPipe's native code (absl, glog, TensorFlow Lite) writes informational lines straight to the
stderr file descriptor while a model is created and first run: "All log messages before
absl::InitializeLog() ...", "Created TensorFlow Lite XNNPACK delegate for CPU", "Feedback manager
requires a model with a single signature ...". Users read them as errors, and in OBS they land in
the log beside the filter's own lines. Python's ``sys.stderr`` cannot stop them: they bypass it.

So :func:`quiet_native_stderr` points file descriptor 2 at a temporary file for exactly that
window (model creation and the warm-up inference), restores it, and then writes back every line
that is not one of the known informational ones, so a real native error is still seen. Outside
the window nothing is redirected. The protobuf ``MessageFactory`` deprecation warning (older
mediapipe) is filtered the same narrow way, by its message.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator

#: Native lines MediaPipe prints on every start that say nothing is wrong. Anything else
#: (errors, fatal checks, a missing library) is written back to stderr.
_CHATTER = re.compile(
    r"(All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|WARNING: Logging before InitGoogle\(\) is written to STDERR"
    r"|INFO: Created TensorFlow Lite XNNPACK delegate for CPU"
    r"|^[IW]\d{4} [\d:.]+\s+\d+ \S+:\d+\] )"  # absl/glog INFO and WARNING lines, e.g. "W0000 00:00:..."
)


def is_chatter(line: str) -> bool:
    """True for a native start-up line that reports nothing wrong."""
    return bool(_CHATTER.search(line))


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Hide MediaPipe's informational native lines written inside the block; keep the rest.

    Not for long-running code: while the block runs, everything written to fd 2 by any thread is
    held back and only written out (minus the chatter) when the block ends.
    """
    held: list[str] = []
    try:
        with warnings.catch_warnings(), _held_fd2(held):
            warnings.filterwarnings("ignore", message="MessageFactory class is deprecated")
            yield
    finally:
        for line in held:
            if not is_chatter(line):
                sys.stderr.write(line)
        sys.stderr.flush()


@contextlib.contextmanager
def _held_fd2(lines: list[str]) -> Iterator[None]:
    """Redirect fd 2 to a temporary file; on exit restore it and append what was written to ``lines``."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (e.g. a GUI host): nothing to hide
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            lines.extend(capture.read().decode("utf-8", "replace").splitlines(keepends=True))
