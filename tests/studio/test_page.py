"""The studio page in real headless Chromium: add the shared clip, preview, process, download.

One studio (two jobs at once) and one browser serve the module; each test picks its own file on
the page. The preview is compared with the core rendering the same frame with the same settings,
and the downloaded result with ``bgremove process`` run with the same settings, frame for frame.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bgremove_core.media.oneframe import read_one_frame
from bgremove_core.pipeline import Processor
from bgremove_core.settings import Settings
from tests.cli.clitools import decode_bgra
from tests.support.browser import Browser
from tests.support.clirun import leftovers
from tests.support.images import mean_change, share
from tests.support.procs import wait_until
from tests.support.studio import Studio

from .conftest import LONG_LOOPS, StudioFactory
from .page import (
    add_files,
    drop_file,
    job_row,
    move_slider,
    open_page,
    preview,
    process,
    select,
    set_setting,
    wait_for_row,
)

pytestmark = pytest.mark.slow  # a studio, a browser and the model: `make test`, not the edit loop

COLOUR = "#3366CC"
COLOUR_RGB = (0x33, 0x66, 0xCC)
PHOTO = "105.jpg"


@pytest.fixture(scope="module")
def studio(studio_factory: StudioFactory) -> Studio:
    return studio_factory(None, "--jobs", 2)


@pytest.fixture(scope="module")
def page(browser: Browser, studio: Studio) -> Browser:
    open_page(browser, studio)
    return browser


@pytest.fixture(scope="module")
def lucia_id(page: Browser, lucia_clip: Path) -> int:
    (added,) = add_files(page, lucia_clip)
    assert not added["error"] and "70 frames" in added["info"], added
    return added["id"]


def _core(frame: np.ndarray, settings: Settings) -> np.ndarray:
    with Processor(settings) as processor:
        return processor.process(frame).output


def test_preview_follows_the_slider_and_every_background(
    page: Browser, lucia_id: int, lucia_clip: Path, shared_data: Path
) -> None:
    select(page, lucia_id)
    request, first = preview(page)
    assert request["at"] == pytest.approx(0.5 / 24) and first.shape == (480, 854, 3)

    move_slider(page, 40)
    request, blurred = preview(page)
    at = request["at"]
    assert at == pytest.approx(40.5 / 24)
    frame = read_one_frame(lucia_clip, at)
    assert mean_change(blurred, first) > 1, "another frame was chosen, the picture must change"
    assert mean_change(blurred, _core(frame, Settings())) < 0.5

    set_setting(page, "background", "colour")
    set_setting(page, "colour", COLOUR.lower())
    request, coloured = preview(page)
    assert request["settings"] == {"background": "colour", "colour": COLOUR.lower()}
    assert share(coloured[..., ::-1], COLOUR_RGB, tolerance=2) > 0.3

    photo = shared_data / "people" / "images" / PHOTO
    page.choose_files("#setting-image", photo)
    wait_until(lambda: page.run("return window.studio.values.image") != "", what="the picture to be added")
    set_setting(page, "background", "image")
    _, pictured = preview(page)
    expected = _core(frame, Settings(background="image", image=str(photo)))
    assert mean_change(pictured, expected) < 0.5
    assert mean_change(pictured, coloured) > 10

    page.choose_files("#setting-video", shared_data / "clips" / "hike.mp4")
    wait_until(lambda: page.run("return window.studio.values.video") != "", what="the video to be added")
    set_setting(page, "background", "video")
    _, filmed = preview(page)
    expected = _core(frame, Settings(background="video", video=str(shared_data / "clips" / "hike.mp4")))
    assert mean_change(filmed, expected) < 0.5

    set_setting(page, "background", "transparent")
    _, cutout = preview(page)
    assert cutout.shape == (480, 854, 4)
    alpha = cutout[..., 3]
    assert (alpha == 0).mean() > 0.3 and (alpha == 255).mean() > 0.01, "a cut-out: clear and opaque parts"
    assert mean_change(cutout, _core(frame, Settings(background="transparent"))) < 0.5
    board = page.run("return getComputedStyle(document.getElementById('stage')).backgroundImage")
    assert "conic-gradient" in board, "a transparent preview is shown on a checkerboard"


def test_processed_download_has_the_frames_of_bgremove_process(
    page: Browser, studio: Studio, lucia_id: int, lucia_clip: Path, cli, tmp_path: Path
) -> None:
    select(page, lucia_id)
    set_setting(page, "background", "colour")
    set_setting(page, "colour", COLOUR.lower())
    set_setting(page, "threshold", 0.6)
    preview(page)
    job = process(page, studio)
    wait_for_row(page, job, "done")
    output = studio.jobs()[job]["output"]
    assert output == "lucia.mp4", "named as `batch` names it"
    page.click(f'.job[data-id="{job}"] a.download')
    downloaded = page.downloads / output
    wait_until(
        lambda: downloaded.is_file() and not list(page.downloads.glob("*.crdownload")), what="the download"
    )
    assert downloaded.read_bytes() == (studio.output / output).read_bytes()

    run = cli(
        "process",
        lucia_clip,
        tmp_path / "cli.mp4",
        "--background",
        "colour",
        "--colour",
        COLOUR,
        "--threshold",
        0.6,
    )
    assert run.code == 0, run.err
    web, command = decode_bgra(downloaded), decode_bgra(tmp_path / "cli.mp4")
    assert len(web) == len(command) == 70
    assert all(np.array_equal(a, b) for a, b in zip(web, command, strict=True)), "the same frames"

    page.click(f'.job[data-id="{job}"] .reveal')
    wait_until(
        lambda: page.run("return document.getElementById('folder-status').textContent"), what="the folder"
    )
    shown = page.run("return document.getElementById('folder-status').textContent")
    assert str(studio.output) in shown and "file manager" not in shown, "headless: the path is shown"


def test_two_jobs_run_at_once_and_a_cancelled_one_can_be_retried(
    page: Browser, studio: Studio, long_clip: Path
) -> None:
    (added,) = add_files(page, long_clip)
    select(page, added["id"])
    first, second = process(page, studio), process(page, studio)
    wait_until(
        lambda: all(studio.jobs()[j]["state"] == "running" for j in (first, second)),
        what="both jobs to run at the same time",
    )
    wait_until(lambda: studio.jobs()[second]["frames"] > 0, what="the second job to make progress")
    page.click(f'.job[data-id="{second}"] .cancel')
    wait_for_row(page, second, "cancelled")
    outputs = {studio.jobs()[j]["output"] for j in (first, second)}
    assert outputs == {"long-lucia.mp4", "long-lucia-2.mp4"}, "a second result of one file gets -2"
    assert not (studio.output / "long-lucia-2.mp4").exists()

    page.click(f'.job[data-id="{second}"] .retry')
    for job in (first, second):
        wait_for_row(page, job, "done")
    for name in outputs:
        assert len(decode_bgra(studio.output / name)) == 70 * LONG_LOOPS
    assert leftovers(studio.output) == [], "no temporary file is left"


def test_a_corrupt_file_fails_with_the_sentence_of_the_cli(
    page: Browser, studio: Studio, lucia_clip: Path, cli, tmp_path: Path
) -> None:
    data = lucia_clip.read_bytes()
    added = drop_file(page, "broken.mp4", data[: len(data) // 2])
    (stored,) = (studio.folder / "uploads").glob("*-broken.mp4")
    run = cli("process", stored, tmp_path / "out.mp4")
    assert run.code == 2
    sentence = run.error_line.removeprefix("bgremove: error: ")
    if added["error"]:
        assert added["info"] == sentence
    select(page, added["id"])
    job = process(page, studio)
    row = wait_for_row(page, job, "failed")
    assert row["text"] == f"failed: {sentence}"
    assert not list(studio.output.glob("broken*")) and leftovers(studio.output) == []


def test_a_studio_killed_mid_job_lists_finished_jobs_and_redoes_the_unfinished_one(
    browser: Browser, studio_factory: StudioFactory, tmp_path: Path, long_clip: Path, shared_data: Path
) -> None:
    folder = tmp_path / "killed"
    first = studio_factory(folder, "--jobs", 1)
    open_page(browser, first)
    (photo,) = add_files(browser, shared_data / "people" / "images" / PHOTO)
    select(browser, photo["id"])
    finished = process(browser, first)
    wait_for_row(browser, finished, "done")
    (clip,) = add_files(browser, long_clip)
    select(browser, clip["id"])
    unfinished = process(browser, first)
    wait_until(lambda: first.jobs()[unfinished]["frames"] >= 30, what="the long job to be part-way")
    first.kill()
    partial = list(first.output.glob(".long-lucia.*.partial.mp4"))
    assert partial, "killed mid-job: its temporary output is still there"

    second = studio_factory(folder, "--jobs", 1)
    assert second.jobs()[finished]["state"] == "done"
    assert not any(p.exists() for p in partial), "the dead run's temporary output is swept at the start"
    open_page(browser, second)
    assert wait_for_row(browser, finished, "done")
    wait_for_row(browser, unfinished, "done")
    assert len(decode_bgra(second.output / "long-lucia.mp4")) == 70 * LONG_LOOPS
    assert leftovers(second.output) == []
    assert job_row(browser, finished)["state"] == "done"


def test_ctrl_c_mid_job_leaves_no_partial_file_and_the_job_runs_at_the_next_start(
    studio_factory: StudioFactory, tmp_path: Path, long_clip: Path
) -> None:
    folder = tmp_path / "stopped"
    first = studio_factory(folder, long_clip, "--jobs", 1)
    status, job = first.request("api/jobs", {"upload": first.state()["uploads"][0]["id"], "settings": {}})
    assert status == 201
    wait_until(lambda: first.jobs()[job["id"]]["frames"] >= 30, what="the job to be part-way")
    assert first.stop() == 0
    assert first.lines[-1].startswith("bgremove studio: stopped")
    assert leftovers(first.output) == [] and not (first.output / "long-lucia.mp4").exists()

    second = studio_factory(folder, long_clip, "--jobs", 1)
    assert len(second.state()["uploads"]) == 1, "a file named again is not listed twice"
    wait_until(lambda: second.jobs()[job["id"]]["state"] == "done", what="the job to run again")
