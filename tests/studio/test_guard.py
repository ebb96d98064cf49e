"""Only this machine's browser, on the studio's own page, can use the studio; uploads stay inside it.

A studio with a 1 MB upload limit, driven over HTTP as a browser would (and as a hostile page in
the same browser would), plus one real Chromium visit from a page of another origin.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from bgremove_core.cli.main import main
from tests.support.browser import Browser, free_port
from tests.support.procs import wait_until
from tests.support.studio import Studio

from .conftest import StudioFactory

LIMIT_GB = 0.001
PHOTO = "105.jpg"


@pytest.fixture(scope="module")
def studio(studio_factory: StudioFactory) -> Studio:
    return studio_factory(None, "--max-upload-gb", LIMIT_GB)


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_requests_without_the_token_from_another_origin_or_host_are_refused(studio: Studio) -> None:
    assert studio.request("api/state")[0] == 200
    status, body = studio.request("api/state", token=False)
    assert status == 403 and "token" in body["error"]
    status, body = studio.request("api/jobs", {"upload": 1}, headers={"Origin": "http://evil.example"})
    assert (
        status == 403
        and body["error"] == "This studio answers only its own page, not a page from 'http://evil.example'."
    )
    own = studio.url.rstrip("/")
    assert studio.request("api/state", headers={"Origin": own})[0] == 200
    host = studio.url.split("/")[2].replace("127.0.0.1", "rebound.example")
    status, body = studio.request("api/state", headers={"Host": host})
    assert status == 403 and "addressed to it" in body["error"]


def test_uploaded_names_cannot_leave_the_uploads_folder(studio: Studio, shared_data: Path) -> None:
    before = _files(studio.folder.parent)
    photo = (shared_data / "people" / "images" / PHOTO).read_bytes()
    seen: set[Path] = set()
    for name in ("../../escape.jpg", "..\\..\\escape.jpg", "/etc/escape.jpg", ".hidden.jpg"):
        status, body = studio.request(f"api/uploads?name={name}", photo, method="PUT")
        assert status == 201, body
        (stored,) = set((studio.folder / "uploads").glob(f"*-{body['name']}")) - seen
        seen.add(stored)
        assert stored.read_bytes() == photo and body["name"] in ("escape.jpg", "hidden.jpg")
    added = _files(studio.folder.parent) - before
    assert all(path.is_relative_to(studio.folder / "uploads") for path in added), added


def _put_stream(studio: Studio, name: str, chunks: Iterator[bytes]) -> int | None:
    """PUT ``chunks`` without a length; the status, or None if the studio hung up first (as it may
    once the limit is passed: it stops reading)."""
    host, port = studio.url.split("/")[2].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(
            "PUT", f"/api/uploads?name={name}", chunks, {"X-Studio-Token": studio.token}, encode_chunked=True
        )
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return None
    finally:
        connection.close()


def test_too_large_or_unsupported_uploads_are_refused_and_leave_nothing(studio: Studio) -> None:
    before = _files(studio.folder)
    uploads = len(studio.state()["uploads"])
    status, body = studio.request("api/uploads/check", {"name": "big.mp4", "size": 1_500_000})
    assert status == 413 and body["error"] == (
        "The file 'big.mp4' is larger than the 0.001 GB this studio accepts; start it with a larger "
        "--max-upload-gb to allow it."
    )
    assert studio.request("api/uploads/check", {"name": "small.mp4", "size": 900_000}) == (200, {"ok": True})
    status, body = studio.request("api/uploads/check", {"name": "notes.txt", "size": 9})
    assert status == 415 and "notes.txt" in body["error"]
    status, body = studio.request("api/uploads?name=notes.txt", b"not media", method="PUT")
    assert status == 415 and "notes.txt" in body["error"]
    assert _put_stream(studio, "big.mp4", (b"\0" * 65536 for _ in range(30))) in (413, None)
    assert _put_stream(studio, "fits.mp4", (b"\0" * 65536 for _ in range(3))) == 201, "under the limit"
    uploads_now = studio.state()["uploads"]
    assert len(uploads_now) == uploads + 1 and uploads_now[-1]["name"] == "fits.mp4"
    added = {p.name for p in _files(studio.folder) - before}
    assert [name.split("-", 1)[1] for name in added - {"studio.sqlite3-wal", "studio.sqlite3-shm"}] == [
        "fits.mp4"
    ], "a refused upload leaves nothing behind"


@pytest.fixture
def foreign_site(tmp_path: Path, studio: Studio, shared_data: Path) -> Iterator[str]:
    """A page on another origin (another port) whose script tries to queue a job in the studio.

    It even knows the token (as if it had leaked), so only the Origin check stands in its way.
    """
    status, added = studio.request(
        "api/uploads?name=me.jpg", (shared_data / "people" / "images" / PHOTO).read_bytes(), method="PUT"
    )
    assert status == 201
    body = f'{{"upload": {added["id"]}}}'
    (tmp_path / "index.html").write_text(
        "<!doctype html><script>"
        f"fetch('{studio.url}api/jobs?token={studio.token}',"
        f" {{method: 'POST', mode: 'no-cors', body: '{body}'}})"
        ".then(() => { document.title = 'sent'; }, () => { document.title = 'blocked'; });"
        "</script>"
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_page_from_another_origin_in_the_browser_cannot_queue_a_job(
    browser: Browser, studio: Studio, foreign_site: str
) -> None:
    jobs = studio.jobs()
    browser.open(foreign_site)
    wait_until(
        lambda: browser.run("return document.title") in ("sent", "blocked"), what="the foreign request"
    )
    assert studio.jobs() == jobs


def test_ctrl_c_stops_the_studio_cleanly(tmp_path: Path) -> None:
    studio = Studio(tmp_path / "studio").start()
    assert studio.stop() == 0
    assert studio.lines[-1].startswith("bgremove studio: stopped")


def test_help_explains_the_studio(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["studio", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("127.0.0.1", "--no-browser", "--jobs", "SQLite", "Ctrl-C", "batch"):
        assert words in text
