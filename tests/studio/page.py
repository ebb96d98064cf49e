"""What a user does on the studio page, as calls: add files, move a slider, wait for a preview.

Every wait polls a state of the page (``window.studio``, the queue table), never a time.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from tests.support.browser import Browser
from tests.support.procs import wait_until
from tests.support.studio import Studio

PREVIEW_SETTLED = """
const s = window.studio;
return !!s && !s.previewBusy && s.previewWanted !== null
    && JSON.stringify(s.previewWanted) === JSON.stringify(s.previewShown);
"""

PREVIEW_BYTES = """
const done = arguments[arguments.length - 1];
const reader = new FileReader();
reader.onload = () => done(reader.result.split(',')[1]);
reader.onerror = () => done(null);
reader.readAsDataURL(window.studio.previewBlob);
"""


def open_page(browser: Browser, studio: Studio) -> None:
    """Load the studio's page and wait until its settings form is drawn."""
    browser.open(studio.url)
    wait_until(
        lambda: browser.run("return document.querySelectorAll('#settings .field').length"), what="the form"
    )


def uploads(browser: Browser) -> list[dict[str, Any]]:
    """The files listed on the page: id, name and the line under it."""
    return browser.run(
        "return [...document.querySelectorAll('#uploads li')].map((li) => ({id: Number(li.dataset.id), "
        "name: li.firstChild.textContent, info: li.querySelector('.info').textContent, "
        "error: li.querySelector('.info').classList.contains('error')}))"
    )


def add_files(browser: Browser, *paths: Path) -> list[dict[str, Any]]:
    """Pick ``paths`` in the file picker and wait until the page lists them all; the new entries."""
    before = len(uploads(browser))
    browser.choose_files("#files", *paths)
    wait_until(lambda: len(uploads(browser)) >= before + len(paths), what="the files to be listed")
    return uploads(browser)[before:]


def drop_file(browser: Browser, name: str, data: bytes) -> dict[str, Any]:
    """Drop a file called ``name`` holding ``data`` on the drop zone, as a drag from the desktop does."""
    before = len(uploads(browser))
    browser.run(
        "const bytes = Uint8Array.from(atob(arguments[1]), (c) => c.charCodeAt(0));"
        "const transfer = new DataTransfer(); transfer.items.add(new File([bytes], arguments[0]));"
        "document.getElementById('dropzone').dispatchEvent("
        "new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));",
        name,
        base64.b64encode(data).decode(),
    )
    wait_until(lambda: len(uploads(browser)) > before, what=f"{name} to be listed")
    return uploads(browser)[-1]


def select(browser: Browser, upload_id: int) -> None:
    """Click a listed file: it becomes the one previewed and processed."""
    browser.click(f'#uploads li[data-id="{upload_id}"]')


def set_setting(browser: Browser, key: str, value: object) -> None:
    """Change one control of the generated form, as dragging or picking it does."""
    browser.run(
        "const input = document.getElementById('setting-' + arguments[0]);"
        "if (input.type === 'checkbox') input.checked = arguments[1]; else input.value = arguments[1];"
        "input.dispatchEvent(new Event('input'));",
        key,
        value,
    )


def move_slider(browser: Browser, frame: int) -> None:
    """Drag the frame slider to ``frame``."""
    browser.run(
        "const slider = document.getElementById('frame'); slider.value = arguments[0];"
        "slider.dispatchEvent(new Event('input'));",
        frame,
    )


def preview(browser: Browser) -> tuple[dict[str, Any], np.ndarray]:
    """Wait until the preview shows the newest request; (that request, the picture, BGR or BGRA)."""
    wait_until(lambda: browser.run(PREVIEW_SETTLED), what="the preview to be rendered")
    error = browser.run("return document.getElementById('preview-status').classList.contains('error')")
    assert not error, browser.run("return document.getElementById('preview-status').textContent")
    data = base64.b64decode(browser.run_async(PREVIEW_BYTES))
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return browser.run("return window.studio.previewShown"), picture


def process(browser: Browser, studio: Studio) -> int:
    """Press Process and return the id of the job it queued."""
    before = set(studio.jobs())
    browser.click("#process")
    wait_until(lambda: set(studio.jobs()) - before, what="the job to be queued")
    return max(set(studio.jobs()) - before)


def job_row(browser: Browser, job_id: int) -> dict[str, str]:
    """The queue row of a job as the page shows it (state and text of each cell)."""
    return browser.run(
        'const row = document.querySelector(`.job[data-id="${arguments[0]}"]`);'
        "return row ? {state: row.dataset.state, text: row.querySelector('.state').textContent} : null;",
        job_id,
    )


def wait_for_row(browser: Browser, job_id: int, state: str) -> dict[str, str]:
    """Wait until the page shows ``job_id`` in ``state``; the row."""
    wait_until(
        lambda: (job_row(browser, job_id) or {}).get("state") == state, what=f"job {job_id} to be {state}"
    )
    return job_row(browser, job_id)
