"""The shared-memory mailboxes between the OBS filter and its worker (no OBS needed)."""

from __future__ import annotations

import ctypes
from collections.abc import Iterator

import numpy as np
import pytest

from bgremove_obs.channel import Channel


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
