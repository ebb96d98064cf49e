"""Keep in sync's frame hold: which frame goes out on each ``filter_video`` call, and which are
dropped, for the worker's answers as they come (on time, late, skipped, lost)."""

from __future__ import annotations

from bgremove_obs.host.delay import SyncStats
from bgremove_obs.host.hold import MAX_FRAMES, MAX_SECONDS, FrameHold, HeldFrame
from bgremove_obs.host.maskstore import KEPT, MaskStore
from bgremove_obs.wire.protocol import MaskMeta


def frame(number: int, arrived: float = 0.0) -> HeldFrame:
    return HeldFrame(number, address=1000 + number, arrived=arrived, tick=number)


def masks_of(*numbers: int):
    return lambda number: number in numbers


def held(*numbers: int) -> FrameHold:
    hold = FrameHold()
    for number in numbers:
        hold.push(frame(number))
    return hold


def test_a_frame_waits_for_its_own_mask_then_goes_out_with_it() -> None:
    hold = held(1)
    assert hold.take(masks_of(), None, 0.0) == (None, [])
    release, dropped = hold.take(masks_of(1), 1, 0.01)
    assert (release.frame.number, release.mask, release.in_sync, dropped) == (1, 1, True, [])
    assert len(hold) == 0


def test_frames_the_worker_never_read_are_dropped_once_a_later_one_is_ready() -> None:
    hold = held(1, 2, 3)  # the worker was busy: 1 and 2 were overwritten in the channel, 3 read
    release, dropped = hold.take(masks_of(3), 3, 0.0)
    assert release.frame.number == 3 and release.in_sync
    assert [f.number for f in dropped] == [1, 2]


def test_when_two_frames_are_ready_the_older_is_dropped_so_the_delay_shrinks() -> None:
    release, dropped = held(1, 2).take(masks_of(1, 2), 2, 0.0)
    assert release.frame.number == 2 and [f.number for f in dropped] == [1]


def test_a_frame_still_being_worked_on_is_not_overtaken() -> None:
    hold = held(1, 2)
    assert hold.take(masks_of(0), 0, 0.0) == (None, [])


def test_past_the_frame_bound_the_oldest_goes_out_late_with_the_newest_mask() -> None:
    hold = held(*range(1, MAX_FRAMES + 2))
    release, dropped = hold.take(masks_of(0), 0, 0.0)
    assert (release.frame.number, release.mask, release.in_sync, dropped) == (1, 0, False, [])
    assert hold.take(masks_of(0), 0, 0.0) == (None, [])


def test_past_the_time_bound_the_oldest_goes_out_late() -> None:
    hold = FrameHold()
    hold.push(frame(1, arrived=1.0))
    assert hold.take(masks_of(), None, 1.0 + MAX_SECONDS / 2) == (None, [])
    release, _ = hold.take(masks_of(), None, 1.0 + MAX_SECONDS * 1.01)
    assert release.frame.number == 1 and release.mask is None and not release.in_sync


def test_flush_hands_back_every_held_frame_once() -> None:
    hold = held(1, 2)
    assert [f.number for f in hold.flush()] == [1, 2]
    assert hold.flush() == [] and len(hold) == 0


def _meta(number: int) -> MaskMeta:
    return MaskMeta(number, 1, 1, 0, 0, 1, 0, 0)


def test_mask_store_copies_payloads_keeps_the_newest_and_marks_a_redo() -> None:
    store = MaskStore()
    payload = bytearray(b"a")
    store.add(_meta(1), payload)
    payload[0] = ord("b")  # the channel reuses its buffer
    assert store.get(1).payload == bytearray(b"a")
    first = store.get(1).serial
    store.add(_meta(1), bytearray(b"c"))  # new settings: the worker redoes frame 1
    assert store.get(1).serial != first
    for number in range(2, KEPT + 3):
        store.add(_meta(number), bytearray(b"x"))
    assert 1 not in store and store.newest() == KEPT + 2 and store.get(None) is None


def test_sync_stats_summary_gives_delay_percentiles_and_counts() -> None:
    stats = SyncStats()
    assert stats.summary() == "no frame was held for its mask"
    for delay in (0.030, 0.033, 0.034, 0.040):
        stats.shown(delay, in_sync=True)
    stats.shown(0.200, in_sync=False)
    stats.dropped += 1
    assert stats.percentile(0.5) == 34 and stats.percentile(0.95) == 200
    assert stats.summary() == (
        "added video delay p50 34 ms, p95 200 ms; 4 of 5 frames shown with their own mask, 1 late, 1 dropped"
    )
