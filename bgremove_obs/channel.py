"""Shared memory between the OBS filter and its worker process: latest value in, latest value out.

Why a memory-mapped file and not ``multiprocessing.shared_memory``: the latter registers segments
with a resource-tracker process that it starts with ``sys.executable``, which inside OBS is OBS
itself. A file under ``/dev/shm`` (Linux) or the temp dir (elsewhere) mapped by both sides needs
nothing but the standard library.

The file holds one :class:`Mailbox` per kind of message (frames, masks, backgrounds, settings,
status, heartbeat). A mailbox has two slots and never blocks either side:

- The writer fills the slot *not* published last, bracketed by a sequence number that is odd
  while it writes (a seqlock), then publishes the slot index and bumps a publication counter.
- The reader copies the published slot and accepts the copy only if the slot's sequence number
  was even and unchanged across the copy; otherwise it simply tries again next time.

So OBS's graphics thread never waits for the worker and the worker never waits for OBS: a torn
read costs one frame of staleness, nothing more. (Ordering relies on stores being seen in
program order, true on x86-64; ARM would want explicit barriers.)
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

_MAILBOX_HEAD = struct.Struct("<IIQ")  # latest slot, unused, publication count
_SLOT_HEAD = struct.Struct("<Q")  # sequence number (odd while being written)
META_FIELDS = 24
"""Integer metadata per message; the last field is the payload length, the rest are the caller's."""
_META = struct.Struct(f"<{META_FIELDS}q")
_HEAD_SIZE = 64
_SLOT_HEADER_SIZE = _SLOT_HEAD.size + _META.size
_ALIGN = 64

MAGIC = 0x4D524742  # "BGRM"
VERSION = 2
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
        self._buffer = buffer
        self._base = base_address
        self._offset = offset
        self.capacity = capacity
        self._slot_size = _aligned(_SLOT_HEADER_SIZE + capacity)
        self._last_read = 0
        self._scratch = bytearray()

    @staticmethod
    def size(capacity: int) -> int:
        return _HEAD_SIZE + 2 * _aligned(_SLOT_HEADER_SIZE + capacity)

    def _slot(self, index: int) -> int:
        return self._offset + _HEAD_SIZE + index * self._slot_size

    def count(self) -> int:
        """How many messages were published so far."""
        return _MAILBOX_HEAD.unpack_from(self._buffer, self._offset)[2]

    def publish(self, meta: Sequence[int], parts: Sequence[bytes | memoryview | tuple[int, int]]) -> bool:
        """Write one message; ``parts`` are buffers or ``(address, length)`` raw memory to copy.

        Returns False (and writes nothing) when the payload exceeds the mailbox's capacity.
        """
        total = sum(part[1] if isinstance(part, tuple) else len(part) for part in parts)
        if total > self.capacity or len(meta) >= META_FIELDS:
            return False
        latest, _, count = _MAILBOX_HEAD.unpack_from(self._buffer, self._offset)
        index = 1 - latest if count else 0
        slot = self._slot(index)
        (sequence,) = _SLOT_HEAD.unpack_from(self._buffer, slot)
        _SLOT_HEAD.pack_into(self._buffer, slot, sequence + 1)
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
        _SLOT_HEAD.pack_into(self._buffer, slot, sequence + 2)
        _MAILBOX_HEAD.pack_into(self._buffer, self._offset, index, 0, count + 1)
        return True

    def read(self, *, again: bool = False) -> Message | None:
        """The newest message if one arrived since the last successful read (or ``again``).

        Returns None when there is nothing new or the slot was being rewritten during the copy.
        The payload is a reused buffer, valid until the next read.
        """
        latest, _, count = _MAILBOX_HEAD.unpack_from(self._buffer, self._offset)
        if count == 0 or (count == self._last_read and not again):
            return None
        slot = self._slot(latest)
        (before,) = _SLOT_HEAD.unpack_from(self._buffer, slot)
        if before % 2:
            return None
        meta = _META.unpack_from(self._buffer, slot + _SLOT_HEAD.size)
        length = min(meta[-1], self.capacity)
        if len(self._scratch) != length:
            self._scratch = bytearray(length)
        start = slot + _SLOT_HEADER_SIZE
        self._scratch[:] = self._buffer[start : start + length]
        (after,) = _SLOT_HEAD.unpack_from(self._buffer, slot)
        if after != before:
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
