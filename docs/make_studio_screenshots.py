"""Regenerate the pictures of ``bgremove studio`` in docs/images: ``make studio-screenshots``.

Taken by the same headless Chromium and studio process the tests drive (tests/support/browser.py,
tests/support/studio.py, tests/studio/page.py): the page with the clip "lucia" from
``../shared/data`` (DAVIS 2016, CC BY-NC 4.0, credited under each picture in the guide) added,
its preview on a colour background, the queue with a job running beside a finished one, and a
transparent preview on the checkerboard. Saved with :func:`docs.make_screenshots.save_png`
(downscaled, 256 colours, within the docs' size budget).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from docs.make_screenshots import save_png
from tests.studio.page import (
    add_files,
    move_slider,
    open_page,
    preview,
    process,
    select,
    set_setting,
    wait_for_row,
)
from tests.support.browser import Browser
from tests.support.paths import LUCIA
from tests.support.procs import wait_until
from tests.support.studio import Studio

WINDOW = (1400, 1050)
WIDTH = 1100
LOOPS = 12
"""The running job's clip: lucia this many times over, so it is still running when captured."""


def _shot(browser: Browser, work: Path, name: str) -> None:
    # The scratch folder's path is this machine's; the picture shows where a user's would be.
    browser.run(
        "const shown = document.getElementById('output-folder');"
        "shown.textContent = shown.textContent.replace(arguments[0], '~');"
        "window.scrollTo(0, 0);",
        str(work),
    )
    path = work / f"{name}.png"
    browser.screenshot(path)
    picture = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert isinstance(picture, np.ndarray)
    save_png(name, picture, WIDTH)


def main() -> None:
    """Start a studio and a browser, take the pictures, stop both."""
    with tempfile.TemporaryDirectory(prefix="studio-shots-") as scratch:
        work = Path(scratch)
        long_clip = work / "last-night.mp4"
        subprocess.run(
            [
                *("ffmpeg", "-v", "error", "-stream_loop", str(LOOPS - 1), "-i", str(LUCIA)),
                *("-c:v", "libx264", "-preset", "ultrafast", "-an", str(long_clip)),
            ],
            check=True,
        )
        studio = Studio(work / "studio", "--jobs", 1).start()
        browser = Browser(work / "browser")
        try:
            browser.resize(*WINDOW)
            open_page(browser, studio)
            lucia, last_night = add_files(browser, LUCIA, long_clip)
            select(browser, lucia["id"])
            move_slider(browser, 36)
            set_setting(browser, "background", "colour")
            set_setting(browser, "colour", "#3a7bd5")
            preview(browser)
            done = process(browser, studio)
            wait_for_row(browser, done, "done")
            _shot(browser, work, "studio-page")

            select(browser, last_night["id"])
            running = process(browser, studio)
            wait_until(lambda: studio.jobs()[running]["frames"] > 60, what="the long job to be part-way")
            _shot(browser, work, "studio-queue")

            select(browser, lucia["id"])
            move_slider(browser, 36)
            set_setting(browser, "background", "transparent")
            preview(browser)
            _shot(browser, work, "studio-transparent")
        finally:
            browser.quit()
            studio.stop()


if __name__ == "__main__":
    main()
