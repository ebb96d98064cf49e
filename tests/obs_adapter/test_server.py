"""The OBS worker's engine over a real channel, with a real person photo at every aspect ratio.

Portrait sources once got no mask at all: the mask mailbox was sized for landscape frames and the
refusal went unnoticed. Here each frame size goes through the real MaskServer (MediaPipe, refinement,
blur) and the real shared-memory mailboxes, and the OBS side must receive a mask that finds the
person; a mailbox that refuses a message must produce a status sentence.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from bgremove_core.limits import work_size
from bgremove_core.settings import Settings
from bgremove_obs.wire import formats
from bgremove_obs.wire.channel import Channel, Mailbox
from bgremove_obs.wire.protocol import COLOUR_INFO, Level, Look, MaskMeta, StatusMeta, parse
from bgremove_obs.worker.server import MaskServer

DEADLINE = 60.0
"""Seconds a test waits for a state before calling it a hang (never reached when things work)."""
MIN_IOU = 0.7
"""The photo padded to another aspect still shows the same person: the mask must find them."""
PORTRAIT_PHOTO = "113"
"""A 480x640 (3:4) photo of one person, with a hand-drawn mask."""


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Channel]:
    made = Channel.create(str(tmp_path))
    yield made
    made.close()


@pytest.fixture
def worker(channel: Channel) -> Iterator[MaskServer]:
    side = Channel.open(channel.path)
    made = MaskServer(side)
    yield made
    made.close()
    side.close()


@pytest.fixture(scope="module")
def person(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    image = cv2.imread(str(shared_data / "people" / "images" / f"{PORTRAIT_PHOTO}.jpg"))
    truth = cv2.imread(str(shared_data / "people" / "masks" / f"{PORTRAIT_PHOTO}.png"), cv2.IMREAD_GRAYSCALE)
    assert image is not None and truth is not None
    return image, cv2.resize(truth, image.shape[1::-1], interpolation=cv2.INTER_NEAREST)


def _fit_into(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` scaled to fit ``width`` x ``height`` and centred on black (aspect kept)."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    inner = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    out = np.zeros((height, width, *image.shape[2:]), np.uint8)
    top, left = (height - size[1]) // 2, (width - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = inner
    return out


def _send_frame(channel: Channel, frame: np.ndarray, number: int = 1) -> None:
    h, w = frame.shape[:2]
    pixels = cv2.cvtColor(frame, cv2.COLOR_BGR2BGRA)
    meta = (number, w, h, formats.VIDEO_FORMAT_BGRA, w * 4, 0, 0)
    assert channel.frames.publish(meta, [bytes(COLOUR_INFO.size), pixels.reshape(-1)])


def _send_settings(channel: Channel, settings: Settings, generation: int = 1) -> None:
    payload = json.dumps(settings.to_mapping()).encode()
    assert channel.settings.publish((generation,), [payload])


def _run_until(worker: MaskServer, done) -> None:
    """Step the worker until ``done()`` holds (the deadline only catches hangs)."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert time.monotonic() < deadline, "the worker never got there"
        worker.step()


def _mask(channel: Channel, worker: MaskServer) -> tuple[MaskMeta, np.ndarray]:
    _run_until(worker, lambda: channel.masks.count() > 0)
    message = channel.masks.read()
    assert message is not None
    meta = parse(MaskMeta, message.meta)
    mask = np.frombuffer(message.payload, np.uint8, meta.mask_width * meta.mask_height)
    return meta, mask.reshape(meta.mask_height, meta.mask_width).copy()


def _iou(mask: np.ndarray, truth: np.ndarray) -> float:
    a, b = mask > 127, truth > 127
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.mark.parametrize(
    ("width", "height"),
    [(1080, 1920), (1080, 1440), (2560, 1080), (1920, 1080), (1080, 1080), (720, 1280)],
    ids=["9:16", "3:4", "21:9", "16:9", "1:1", "9:16-720"],
)
@pytest.mark.parametrize("background", ["blur", "transparent", "colour"])
def test_every_aspect_gets_a_mask_that_finds_the_person(
    channel: Channel, worker: MaskServer, person, width: int, height: int, background: str
) -> None:
    image, truth = person
    _send_settings(channel, Settings(background=background))
    _send_frame(channel, _fit_into(image, width, height))
    meta, mask = _mask(channel, worker)
    assert (meta.mask_width, meta.mask_height) == work_size(width, height)
    expected = _fit_into(truth, meta.mask_width, meta.mask_height)
    assert _iou(mask, expected) >= MIN_IOU
    assert (
        meta.look == {"blur": Look.BLUR, "transparent": Look.TRANSPARENT, "colour": Look.COLOUR}[background]
    )
    if background == "blur":
        assert (meta.aux_width, meta.aux_height) == (meta.mask_width, meta.mask_height)
    assert channel.status.count() == 0 or not _status(channel)[1], "no problem to report"


@pytest.mark.parametrize(("width", "height"), [(16, 16), (2, 2), (1, 3), (640, 2)])
def test_tiny_and_thin_frames_get_a_mask(channel: Channel, worker: MaskServer, person, width, height) -> None:
    _send_frame(channel, cv2.resize(person[0], (width, height), interpolation=cv2.INTER_AREA))
    meta, mask = _mask(channel, worker)
    assert (meta.mask_width, meta.mask_height) == (width, height)
    assert mask.shape == (height, width)


def _status(channel: Channel) -> tuple[int, str]:
    message = channel.status.read(again=True)
    assert message is not None
    return parse(StatusMeta, message.meta).level, bytes(message.payload).decode()


def test_a_refused_mask_is_reported_not_ignored(channel: Channel, worker: MaskServer, person) -> None:
    """A mailbox too small for the mask (the portrait bug) must say so in the status."""
    masks = channel.masks
    worker._channel.masks = Mailbox(masks._buffer, masks._base, masks._offset, capacity=64)
    _send_frame(channel, _fit_into(person[0], 1080, 1920))
    _run_until(worker, lambda: channel.status.count() > 0)
    level, text = _status(channel)
    assert level == Level.ERROR
    assert "1080x1920" in text and "mask" in text
    assert channel.masks.count() == 0


def test_the_status_sentence_is_cut_to_fit(channel: Channel, worker: MaskServer) -> None:
    worker.say(Level.ERROR, "é" * channel.status.capacity)
    level, text = _status(channel)
    assert level == Level.ERROR and 0 < len(text.encode()) <= channel.status.capacity


def test_settings_redo_the_last_frame_while_no_frames_arrive(
    channel: Channel, worker: MaskServer, person
) -> None:
    """A paused video: the picture still follows the settings (mask redone only when needed)."""
    _send_frame(channel, _fit_into(person[0], 1080, 1920))
    meta, loose = _mask(channel, worker)
    _send_settings(channel, Settings(threshold=0.95, edge_softness=0.0, feather=0), generation=7)
    _run_until(worker, lambda: channel.masks.count() > 1)
    message = channel.masks.read()
    assert message is not None
    again = parse(MaskMeta, message.meta)
    assert (again.frame_number, again.settings_generation) == (meta.frame_number, 7)
    tight = np.frombuffer(message.payload, np.uint8, again.mask_width * again.mask_height)
    assert (tight > 127).sum() < (loose > 127).sum(), "a higher threshold keeps fewer pixels"


def test_a_model_that_cannot_load_is_reported_and_the_old_one_kept(
    channel: Channel, worker: MaskServer, person, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"not a model")
    _send_settings(channel, Settings(model_path=str(broken)))
    _send_frame(channel, _fit_into(person[0], 720, 1280))
    meta, mask = _mask(channel, worker)
    level, text = _status(channel)
    assert level == Level.ERROR and "Still using the previous model" in text
    assert _iou(mask, _fit_into(person[1], meta.mask_width, meta.mask_height)) >= MIN_IOU


def test_an_unreadable_frame_passes_through_and_is_said(channel: Channel, worker: MaskServer, person) -> None:
    """An all-zero YUV frame is not a picture: no mask for it, a pass-through message and one
    sentence; the next readable frame gets a mask again and the sentence goes."""
    w, h = 640, 360
    zero = (1, w, h, formats.VIDEO_FORMAT_I420, w, w // 2, w // 2)
    limited = COLOUR_INFO.pack(*(1.0,) * 16, *(16 / 255,) * 3, *(240 / 255,) * 3)
    assert channel.frames.publish(zero, [limited, bytes(w * h * 3 // 2)])
    meta, _ = _mask(channel, worker)
    assert meta.look == Look.NONE
    level, text = _status(channel)
    assert level == Level.ERROR and "every byte is zero" in text and "passes through" in text

    _send_frame(channel, _fit_into(person[0], w, h), number=2)
    _run_until(worker, lambda: channel.masks.count() > 1)
    message = channel.masks.read()
    assert message is not None and parse(MaskMeta, message.meta).look == Look.BLUR
    assert _status(channel) == (Level.OK, "")


def test_the_worker_sends_the_look_the_engine_decides(
    channel: Channel, worker: MaskServer, person, tmp_path
) -> None:
    """The mask view sends the mask alone; a picture that cannot be read is replaced by the blur
    and said, as :func:`bgremove_core.looks.choose_look` decides for every path."""
    _send_settings(channel, Settings(show_mask=True))
    _send_frame(channel, _fit_into(person[0], 640, 360))
    meta, _ = _mask(channel, worker)
    assert (meta.look, meta.aux_width, meta.light_wrap) == (Look.MASK, 0, 0)

    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    _send_settings(channel, Settings(background="image", image=str(broken)), generation=2)
    _send_frame(channel, _fit_into(person[0], 640, 360), number=2)
    _run_until(worker, lambda: channel.masks.count() > 1)
    message = channel.masks.read()
    assert message is not None and parse(MaskMeta, message.meta).look == Look.BLUR
    level, text = _status(channel)
    assert level == Level.ERROR and "Showing the blurred background instead" in text
