"""The shared-memory mailboxes between the OBS filter and its worker (no OBS needed)."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
import sys
from collections.abc import Iterator

import numpy as np
import pytest

from bgremove_obs.wire import fence
from bgremove_obs.wire.channel import Channel


@pytest.fixture
def channel(tmp_path) -> Iterator[Channel]:
    made = Channel.create(str(tmp_path))
    yield made
    made.close()


def test_latest_message_wins_and_is_read_once(channel: Channel) -> None:
    reader = Channel.open(channel.path)
    try:
        assert reader.masks.read() is None
        channel.masks.publish((1, 2, 3), [b"first"])
        channel.masks.publish((4, 5, 6), [b"second", b"!"])
        message = reader.masks.read()
        assert message is not None
        assert message.meta[:3] == (4, 5, 6) and bytes(message.payload) == b"second!"
        assert reader.masks.read() is None
        assert reader.masks.read(again=True) is not None
    finally:
        reader.close()


def test_raw_memory_and_numpy_parts(channel: Channel) -> None:
    plane = (ctypes.c_uint8 * 6).from_buffer_copy(bytes(range(6)))
    pixels = np.arange(4, dtype=np.uint8)
    assert channel.frames.publish((7,), [b"ab", (ctypes.addressof(plane), 6), pixels])
    message = channel.frames.read()
    assert message is not None
    assert bytes(message.payload) == b"ab" + bytes(range(6)) + bytes(range(4))


def test_a_slot_being_written_is_not_read(channel: Channel) -> None:
    channel.status.publish((0,), [b"ok"])
    reader = Channel.open(channel.path)
    try:
        slot = reader.status._slot(0)
        view = reader._view
        view[slot] = view[slot] + 1  # an odd sequence number: the writer is mid-way
        assert reader.status.read() is None
    finally:
        reader.close()


def test_oversized_payload_is_refused(channel: Channel) -> None:
    assert not channel.settings.publish((1,), [bytes(channel.settings.capacity + 1)])
    assert channel.settings.count() == 0


def test_not_a_channel_file_is_refused(tmp_path) -> None:
    other = tmp_path / "other.shm"
    other.write_bytes(bytes(Channel.total_size()))
    with pytest.raises(ValueError, match="not a bgremove channel"):
        Channel.open(other)


def test_owner_removes_the_file(tmp_path) -> None:
    made = Channel.create(str(tmp_path))
    made.close()
    made.close()
    assert not made.path.exists()


_WRITER = """
import sys
from pathlib import Path
from bgremove_obs.wire import fence
from bgremove_obs.wire.channel import Channel

channel = Channel.open(Path(sys.argv[1]))
largest = int(sys.argv[2])
while channel.settings.count() == 0:  # the reader's "go": race only while it reads
    pass
number = 0
while channel.status.count() == 0:  # until the reader has checked enough messages
    number += 1
    length = largest - (number * 7919) % (largest // 2)
    channel.masks.publish((number, length), [bytes([number % 251]) * length])
channel.close()
"""
STRESS_READS = 500
"""Accepted reads to check; the writer overwrites the slots all the while."""
STRESS_LARGEST = 256 * 1024
"""Large enough that copying one takes longer than the writer needs to start the next one."""


def test_no_torn_read_is_ever_accepted_under_stress(channel: Channel) -> None:
    """A writer process publishes patterned payloads flat out; every accepted read is whole.

    Each payload is one byte value repeated, with its number and length in the metadata, so a
    copy that mixes two publications (or a length from one and bytes from another) shows. Reads
    rejected because the slot moved under the copy are counted and printed: they show the race
    happened (without the seqlock's checks this test fails within a few hundred reads).
    """
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(channel.path), str(STRESS_LARGEST)])
    accepted = rejected = seen = 0
    channel.settings.publish((), [b"go"])
    try:
        while accepted < STRESS_READS:
            assert writer.poll() is None, "the writer died"
            message = channel.masks.read()
            if message is None:
                rejected += channel.masks.count() != seen  # a new message, but its slot was moving
                continue
            number, length = message.meta[:2]
            assert message.number == number, f"message {number}: metadata of another publication"
            assert len(message.payload) == length, f"message {number}: torn length"
            payload = np.frombuffer(message.payload, np.uint8)
            assert (payload == number % 251).all(), f"message {number}: bytes of another message"
            seen = number
            accepted += 1
    finally:
        channel.status.publish((), [b"stop"])
        writer.wait()
    assert writer.returncode == 0
    print(f"accepted {accepted}, rejected {rejected} torn reads, of {seen} publications")


def test_the_barrier_is_a_real_fence_where_the_platform_exports_one() -> None:
    if ctypes.util.find_library("atomic"):
        assert fence.KIND == "libatomic atomic_thread_fence"
    assert not fence.PROBLEM
    fence.load()()
