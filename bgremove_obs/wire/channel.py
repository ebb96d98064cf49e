"""Shared memory between the OBS filter and its worker process: latest value in, latest value out.

Why a memory-mapped file and not ``multiprocessing.shared_memory``: the latter registers segments
with a resource-tracker process that it starts with ``sys.executable``, which inside OBS is OBS
itself. A file under ``/dev/shm`` (Linux) or the temp dir (elsewhere) mapped by both sides needs
nothing but the standard library.

The file holds one :class:`Mailbox` per kind of message (frames, masks, backgrounds, settings,
status, heartbeat). A mailbox has two slots and never blocks either side:

- The writer fills the slot *not* published last, bracketed by a sequence number that is odd
  while it writes (a seqlock), then bumps the publication count. Publications alternate between
  the two slots, so the count alone says which slot is newest: one 8-byte value, never a pair
  that a reader could see half-updated (newest count, previous slot).
- The reader copies the published slot and accepts the copy only if the slot's sequence number
  was even and unchanged across the copy, and the writer has not reused the slot meanwhile;
  otherwise it simply tries again next time.

So OBS's graphics thread never waits for the worker and the worker never waits for OBS: a torn
read costs one frame of staleness, nothing more.

Memory ordering: the seqlock is only correct if the other process sees the odd sequence number
before the payload and the payload before the even one (writer), and reads them in that order
(reader). Python promises nothing of the kind between processes, and weakly ordered CPUs (ARM:
Apple Silicon, ARM Linux) do reorder plain stores and loads, so both sides put a full barrier
(:mod:`fence`, a C call that is one) between the steps. The count and the sequence numbers are
aligned native 8-byte integers accessed through ctypes, one load or store each (``struct``
would move them byte by byte, and a reader could see a count half-way through a carry).
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bgremove_core.limits import BACKGROUND_CAPACITY, FRAME_CAPACITY, MASK_CAPACITY, TEXT_CAPACITY

from . import fence

_COUNT_AT = 8
"""Offset of the publication count (aligned native uint64) in a mailbox's head."""
_SLOT_HEAD = struct.Struct("<Q")  # room for the sequence number (aligned native uint64, odd while written)
META_FIELDS = 24
"""Integer metadata per message; the last field is the payload length, the rest are the caller's."""
_META = struct.Struct(f"<{META_FIELDS}q")
_HEAD_SIZE = 64
_SLOT_HEADER_SIZE = _SLOT_HEAD.size + _META.size
_ALIGN = 64

MAGIC = 0x4D524742  # "BGRM"
VERSION = 3
"""3: barriers around the seqlock's steps (a version-2 peer would not fence its side)."""
_FILE_HEAD = struct.Struct("<II")

# Largest payload of each mailbox, all derived from the one size rule in bgremove_core.limits: a 4K
# frame, a mask at the work size with its companion pictures, a background picture, settings JSON,
# a status sentence, and nothing for the heartbeat (its publication count is the beat the
# supervisor watches).
MAILBOXES: tuple[tuple[str, int], ...] = (
    ("frames", FRAME_CAPACITY),
    ("masks", MASK_CAPACITY),
    ("backgrounds", BACKGROUND_CAPACITY),
    ("settings", TEXT_CAPACITY),
    ("status", TEXT_CAPACITY),
    ("heartbeat", 0),
)


def _aligned(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN


@dataclass(frozen=True)
class Message:
    """One read from a mailbox: publication number, integer metadata, payload bytes."""

    number: int
    meta: tuple[int, ...]
    payload: bytearray


class Mailbox:
    """Two-slot, lock-free, latest-wins mailbox at ``offset`` in a shared mapping."""

    def __init__(self, buffer: memoryview, base_address: int, offset: int, capacity: int) -> None:
        self._barrier = fence.load()
        self._buffer = buffer
        self._base = base_address
        self._offset = offset
        self.capacity = capacity
        self._slot_size = _aligned(_SLOT_HEADER_SIZE + capacity)
        self._count = ctypes.c_uint64.from_address(base_address + offset + _COUNT_AT)
        self._sequences = [ctypes.c_uint64.from_address(base_address + self._slot(i)) for i in (0, 1)]
        self._last_read = 0
        self._scratch = bytearray()

    @staticmethod
    def size(capacity: int) -> int:
        return _HEAD_SIZE + 2 * _aligned(_SLOT_HEADER_SIZE + capacity)

    def _slot(self, index: int) -> int:
        return self._offset + _HEAD_SIZE + index * self._slot_size

    def count(self) -> int:
        """How many messages were published so far."""
        return self._count.value

    def publish(self, meta: Sequence[int], parts: Sequence[bytes | memoryview | tuple[int, int]]) -> bool:
        """Write one message; ``parts`` are buffers or ``(address, length)`` raw memory to copy.

        Returns False (and writes nothing) when the payload exceeds the mailbox's capacity.
        """
        total = sum(part[1] if isinstance(part, tuple) else len(part) for part in parts)
        if total > self.capacity or len(meta) >= META_FIELDS:
            return False
        count = self._count.value
        index = count % 2  # publication n (from 1) lives in slot (n - 1) % 2
        slot, sequence = self._slot(index), self._sequences[index]
        sequence.value += 1
        self._barrier()  # the odd number is seen before any byte of the new payload
        padding = [0] * (META_FIELDS - 1 - len(meta))
        _META.pack_into(self._buffer, slot + _SLOT_HEAD.size, *meta, *padding, total)
        position = slot + _SLOT_HEADER_SIZE
        for part in parts:
            if isinstance(part, tuple):
                address, length = part
                ctypes.memmove(self._base + position, address, length)
            else:
                length = len(part)
                self._buffer[position : position + length] = part
            position += length
        self._barrier()  # the whole payload is seen before the even number
        sequence.value += 1
        self._barrier()  # and the finished slot before the count that points readers to it
        self._count.value = count + 1
        return True

    def read(self, *, again: bool = False) -> Message | None:
        """The newest message if one arrived since the last successful read (or ``again``).

        Returns None when there is nothing new or the slot was being rewritten during the copy.
        The payload is a reused buffer, valid until the next read.
        """
        count = self._count.value
        if count == 0 or (count == self._last_read and not again):
            return None
        index = (count - 1) % 2
        slot, sequence = self._slot(index), self._sequences[index]
        self._barrier()  # the count is read before the slot it points to
        before = sequence.value
        if before % 2:
            return None
        self._barrier()  # the sequence number is read before the payload
        meta = _META.unpack_from(self._buffer, slot + _SLOT_HEAD.size)
        length = min(meta[-1], self.capacity)
        if len(self._scratch) != length:
            self._scratch = bytearray(length)
        start = slot + _SLOT_HEADER_SIZE
        self._scratch[:] = self._buffer[start : start + length]
        self._barrier()  # the payload is read before the sequence number is checked again
        # Unchanged sequence: the copy is whole. Count at most one further: the slot still holds
        # publication ``count`` (two more would have reused it, evenly, between our reads).
        if sequence.value != before or self._count.value > count + 1:
            return None
        self._last_read = count
        return Message(count, meta[:-1], self._scratch)


def _default_directory() -> str:
    return "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()


class Channel:
    """The shared file with all mailboxes; created by the OBS side, opened by the worker."""

    def __init__(self, path: Path, handle: mmap.mmap, owner: bool) -> None:
        self.path = path
        self._mmap = handle
        self._owner = owner
        self._view = memoryview(handle)
        self._anchor = (ctypes.c_char * len(handle)).from_buffer(handle)
        base = ctypes.addressof(self._anchor)
        offset = _ALIGN
        for name, capacity in MAILBOXES:
            setattr(self, name, Mailbox(self._view, base, offset, capacity))
            offset += _aligned(Mailbox.size(capacity))

    frames: Mailbox
    masks: Mailbox
    backgrounds: Mailbox
    settings: Mailbox
    status: Mailbox
    heartbeat: Mailbox

    @staticmethod
    def total_size() -> int:
        return _ALIGN + sum(_aligned(Mailbox.size(capacity)) for _, capacity in MAILBOXES)

    @classmethod
    def create(cls, directory: str | None = None) -> Channel:
        """A new zero-filled channel file (sparse: untouched pages cost no memory)."""
        fd, name = tempfile.mkstemp(prefix="bgremove-", suffix=".shm", dir=directory or _default_directory())
        try:
            os.ftruncate(fd, cls.total_size())
            handle = mmap.mmap(fd, cls.total_size())
        finally:
            os.close(fd)
        _FILE_HEAD.pack_into(handle, 0, MAGIC, VERSION)
        return cls(Path(name), handle, owner=True)

    @classmethod
    def open(cls, path: Path) -> Channel:
        """Map an existing channel file; raises ValueError if it is not one of ours."""
        with open(path, "r+b") as file:
            handle = mmap.mmap(file.fileno(), 0)
        if len(handle) != cls.total_size() or _FILE_HEAD.unpack_from(handle, 0) != (MAGIC, VERSION):
            handle.close()
            raise ValueError(f"{path} is not a bgremove channel file of version {VERSION}.")
        return cls(Path(path), handle, owner=False)

    def close(self) -> None:
        """Unmap (and delete the file if this side created it); safe to call twice."""
        if self._mmap.closed:
            return
        for name, _ in MAILBOXES:
            delattr(self, name)
        self._view.release()
        del self._anchor
        self._mmap.close()
        if self._owner:
            with contextlib.suppress(OSError):
                self.path.unlink()
