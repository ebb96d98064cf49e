"""``bgremove preview`` and ``bgremove demo`` end to end."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from clitools import core_regions, streams, truth_mask

from bgremove_core.media.sheet import SHEET_TILE_HEIGHT
from tests.support.clirun import leftovers


def test_preview_of_a_video_frame_writes_cutout_and_sheet(cli, clip: Path, shared_data: Path) -> None:
    out = clip.with_name("frame.png")
    run = cli("preview", clip, out, "--at", 1.0, "--background", "colour")
    assert run.code == 0, run.err
    cutout = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert cutout.shape == (480, 854, 4)
    person, background = core_regions(
        truth_mask(shared_data / "clips" / "lucia_masks" / "00024.png", cutout.shape)
    )
    alpha = cutout[..., 3].astype(np.float32)
    assert alpha[person].mean() > 200 and alpha[background].mean() < 30
    source = cv2.imread(str(shared_data / "clips" / "lucia_frames" / "00024.jpg"))
    assert cv2.absdiff(cutout[..., :3], source).mean(axis=2)[person].mean() < 8, "the frame at 1.0 s"
    sheet = cv2.imread(str(clip.with_name("frame.sheet.png")))
    tile_width = round(854 * SHEET_TILE_HEIGHT / 480)
    assert sheet.shape[0] == SHEET_TILE_HEIGHT and abs(sheet.shape[1] - 3 * tile_width) <= 3
    result_tile = sheet[:, 2 * tile_width + 2 :]
    green = np.all(np.abs(result_tile.astype(int) - (64, 177, 0)) < 12, axis=2)
    assert green.mean() > 0.5, "the result tile shows the colour background"
    assert leftovers(clip.parent) == []


def test_preview_of_an_image(cli, tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "p.png"
    run = cli("preview", shared_data / "people" / "images" / "113.jpg", out)
    assert run.code == 0, run.err
    assert cv2.imread(str(out), cv2.IMREAD_UNCHANGED).shape == (640, 480, 4)
    assert (tmp_path / "p.sheet.png").is_file()


def test_demo_writes_videos_and_sheet_offline(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo must not use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    out = tmp_path / "demo"
    run = cli("demo", "--out", out, "--seconds", 0.5, "--quiet")
    assert run.code == 0, run.err
    names = {"background.jpg", "input.mp4", "blur.mp4", "image.mp4", "sheet.png"}
    assert {p.name for p in out.iterdir()} == names
    for name in ("input", "blur", "image"):
        (video,) = streams(out / f"{name}.mp4", "video")
        assert (int(video["width"]), int(video["height"]), int(video["nb_frames"])) == (1280, 720, 12)
    assert "blur: 12 frames" in run.out and "frames/s" in run.out and "sheet.png" in run.out
    # The person is kept and the background replaced: the corners differ from the input, the face does not.
    first = {}
    for name in ("input", "image"):
        capture = cv2.VideoCapture(str(out / f"{name}.mp4"))
        first[name] = capture.read()[1].astype(np.float32)
        capture.release()
    diff = np.abs(first["input"] - first["image"]).mean(axis=2)
    assert diff[:120, 1100:].mean() > 30, "background (top right) replaced"
    assert diff[200:300, 560:720].mean() < 10, "face kept"


def test_demo_without_scikit_image_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['skimage'] = None\n"
        "from bgremove_core.cli.main import main\n"
        f"sys.exit(main(['demo', '--out', {str(tmp_path / 'demo')!r}]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "pip install 'bgremove[demo]'" in proc.stderr
