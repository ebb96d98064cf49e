"""A full memory barrier callable from Python, for the shared-memory seqlock in :mod:`channel`.

Python gives no memory-ordering guarantee between processes: a store through a ``memoryview``
or ``ctypes.memmove`` is a plain ``memcpy``, and on weakly ordered CPUs (ARM: Apple Silicon Macs,
ARM Linux) another core may see those stores in another order. C11's ``atomic_thread_fence`` is
a compiler builtin, so no C library exports it under that name as a rule; what *is* callable
through ctypes, per platform, in order of preference:

- Linux (any CPU): GCC's ``libatomic`` exports ``atomic_thread_fence`` as a real function (its
  C11 out-of-line version, symbol version LIBATOMIC_1.2), a ``dmb ish`` on ARM64 and an
  ``mfence`` on x86-64. It is installed with the C runtime on every mainstream distribution.
- macOS: ``OSMemoryBarrier`` in libSystem, a full barrier (``dmb ish`` on Apple Silicon);
  deprecated in the headers in favour of the builtin, still exported.
- Windows: ``FlushProcessWriteBuffers`` in kernel32 makes every processor of the process
  flush and order its writes; heavy (an inter-processor interrupt), so only used where needed.
- x86 and x86-64 without any of the above: the CPU is TSO (stores are seen in program order,
  loads are not reordered with loads), which is all a seqlock needs; the foreign call still acts
  as a compiler barrier for the interpreter's own C code, so :func:`barrier` is a plain no-op.

On a weakly ordered CPU where none exists, :data:`PROBLEM` says so and :func:`load` raises:
the filter then reports it instead of drawing torn masks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import sys
from collections.abc import Callable

_SEQ_CST = 5
"""``memory_order_seq_cst`` in C11's ``memory_order`` enumeration."""
_TSO_MACHINES = {"x86_64", "amd64", "i386", "i486", "i586", "i686", "x86"}


def _libatomic() -> Callable[[], None] | None:
    name = ctypes.util.find_library("atomic")
    if name is None:
        return None
    try:
        fence = ctypes.CDLL(name).atomic_thread_fence
    except (OSError, AttributeError):
        return None
    fence.argtypes, fence.restype = (ctypes.c_int,), None
    return lambda: fence(_SEQ_CST)


def _darwin() -> Callable[[], None] | None:
    try:
        fence = ctypes.CDLL("/usr/lib/libSystem.B.dylib").OSMemoryBarrier
    except (OSError, AttributeError):
        return None
    fence.argtypes, fence.restype = (), None
    return fence


def _windows() -> Callable[[], None] | None:
    try:
        fence = ctypes.WinDLL("kernel32").FlushProcessWriteBuffers  # type: ignore[attr-defined]
    except (OSError, AttributeError):
        return None
    fence.argtypes, fence.restype = (), None
    return fence


def _no_op() -> None:
    """Ordering on TSO CPUs needs no instruction (see the module docstring)."""


def _find() -> tuple[str, Callable[[], None] | None]:
    tso = platform.machine().lower() in _TSO_MACHINES
    if sys.platform == "darwin":
        found = _darwin()
        return ("OSMemoryBarrier", found) if found else ("none", _no_op if tso else None)
    if sys.platform == "win32":
        if tso:
            return "x86 TSO", _no_op
        found = _windows()
        return ("FlushProcessWriteBuffers", found) if found else ("none", None)
    found = _libatomic()
    if found:
        return "libatomic atomic_thread_fence", found
    return ("x86 TSO", _no_op) if tso else ("none", None)


KIND, _BARRIER = _find()
"""Which barrier :func:`barrier` is (for the log and the tests)."""
PROBLEM = (
    ""
    if _BARRIER is not None
    else (
        f"No memory barrier is available to Python on this {platform.machine()} CPU, so the filter "
        "cannot share masks safely. Fix: install the C runtime's libatomic (Debian/Ubuntu: "
        "apt-get install libatomic1)."
    )
)


def load() -> Callable[[], None]:
    """The full barrier function; raises OSError with :data:`PROBLEM` when there is none."""
    if _BARRIER is None:
        raise OSError(PROBLEM)
    return _BARRIER
