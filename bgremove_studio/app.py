"""The studio's routes: the page, its settings form, uploads, previews and the job queue.

Handlers only translate between HTTP and the studio's parts (:class:`Studio`); every refusal is
the sentence the core or the CLI says, sent as ``{"error": sentence}`` with a 4xx status, which
the page shows as it is. Slow work (probing a file, rendering a preview) runs in a thread, so one
preview never holds up the queue's progress.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bgremove_core.errors import BgRemoveError, SettingsError
from bgremove_core.settings import Background

from . import form
from .guard import Guard
from .naming import output_for
from .preview import Previewer
from .reveal import open_folder
from .store import Job, Role, State, Store, Upload
from .uploads import UploadError, check_upload, describe, receive
from .workers import Workers

STATIC = Path(__file__).resolve().parent / "static"
TOKEN_MARK = "{{TOKEN}}"
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; frame-ancestors 'none'; "
    "form-action 'none'; base-uri 'none'"
)
"""The page loads only its own files and cannot be framed by another site (no clickjacking)."""


@dataclass
class Studio:
    """Everything the routes reach: where files go, the queue, the preview and this run's token."""

    uploads: Path
    out: Path
    store: Store
    workers: Workers
    previewer: Previewer
    token: str
    max_upload: int

    def add_file(self, path: Path) -> int:
        """List a file of the user's (named on the command line) without copying it; its id."""
        resolved = path.resolve()
        known = next((u for u in self.store.uploads() if u.path == resolved), None)
        if known is not None:
            return known.id
        upload_id = self.store.add_upload(path.name, resolved, Role.INPUT)
        self.describe(upload_id, resolved)
        return upload_id

    def describe(self, upload_id: int, path: Path) -> None:
        """Store what the file at ``path`` holds, or the sentence saying why it cannot be read."""
        try:
            self.store.describe_upload(upload_id, path=path, info=describe(path), error=None)
        except BgRemoveError as exc:
            self.store.describe_upload(upload_id, path=path, info={}, error=str(exc))


def _refuse(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _upload_json(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "name": upload.name,
        "role": upload.role,
        "info": upload.info,
        "error": upload.error,
    }


def _job_json(studio: Studio, job: Job) -> dict[str, Any]:
    upload = studio.store.upload(job.upload)
    live = studio.workers.live(job.id) if job.state == State.RUNNING else None
    fps, left = live.rates() if live is not None else (job.frames / job.seconds if job.seconds else 0.0, None)
    total = live.total if live is not None else job.frames
    done = live.frames if live is not None else job.frames
    return {
        "id": job.id,
        "name": upload.name if upload is not None else "",
        "output": job.output.name,
        "state": job.state,
        "error": job.error,
        "frames": done,
        "total": total,
        "fps": round(fps, 1),
        "seconds_left": None if left is None else round(left, 1),
        "took": None if job.took is None else round(job.took, 3),
    }


def build_app(studio: Studio, *, hosts: list[str] | None) -> Starlette:
    """The ASGI app: routes behind the :class:`~.guard.Guard`."""
    page = (STATIC / "index.html").read_text(encoding="utf-8").replace(TOKEN_MARK, studio.token)

    async def index(request: Request) -> Response:
        return HTMLResponse(
            page, headers={"content-security-policy": PAGE_POLICY, "cache-control": "no-store"}
        )

    async def schema(request: Request) -> Response:
        return JSONResponse({"fields": form.fields()})

    async def state(request: Request) -> Response:
        return JSONResponse(
            {
                "uploads": [_upload_json(u) for u in studio.store.uploads() if u.role == Role.INPUT],
                "jobs": [_job_json(studio, job) for job in studio.store.jobs()],
                "output": str(studio.out),
                "workers": studio.workers.count,
            }
        )

    async def upload(request: Request) -> Response:
        role = Role.SETTING if request.query_params.get("role") == Role.SETTING else Role.INPUT
        length = request.headers.get("content-length")
        try:
            name = check_upload(
                request.query_params.get("name", ""), role, int(length) if length else None, studio.max_upload
            )
            upload_id, path = await receive(
                request.stream(), studio.uploads, studio.store, name, role, studio.max_upload
            )
        except UploadError as exc:
            return _refuse(str(exc), exc.status)
        if role == Role.INPUT:
            await run_in_threadpool(studio.describe, upload_id, path)
        final = studio.store.upload(upload_id)
        assert final is not None
        return JSONResponse(_upload_json(final), status_code=201)

    async def check(request: Request) -> Response:
        """Refuse a file before it is sent (a browser shows a refusal sent mid-upload as a network error)."""
        try:
            body = await _body(request)
            size = body.get("size")
            check_upload(
                str(body.get("name", "")),
                Role.SETTING if body.get("role") == Role.SETTING else Role.INPUT,
                size if isinstance(size, int) else None,
                studio.max_upload,
            )
        except UploadError as exc:
            return _refuse(str(exc), exc.status)
        except BgRemoveError as exc:
            return _refuse(str(exc))
        return JSONResponse({"ok": True})

    async def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            raise SettingsError("The request is not JSON.") from exc
        if not isinstance(body, dict):
            raise SettingsError("The request is not a JSON object.")
        return body

    def _input(body: dict[str, Any]) -> Upload:
        found = studio.store.upload(body.get("upload", -1)) if isinstance(body.get("upload"), int) else None
        if found is None or found.role != Role.INPUT:
            raise SettingsError("Add the file to the studio first.")
        return found

    async def preview(request: Request) -> Response:
        try:
            body = await _body(request)
            source = _input(body)
            settings = form.settings_from_page(body.get("settings") or {}, studio.store)
            at = body.get("at") if source.info.get("kind") == "video" else None
            if at is not None and not isinstance(at, int | float):
                raise SettingsError("The preview time must be a number of seconds.")
            png = await run_in_threadpool(studio.previewer.render, source.path, at, settings)
        except BgRemoveError as exc:
            return _refuse(str(exc))
        return Response(png, media_type="image/png", headers={"cache-control": "no-store"})

    async def submit(request: Request) -> Response:
        try:
            body = await _body(request)
            source = _input(body)
            settings = form.settings_from_page(body.get("settings") or {}, studio.store)
        except BgRemoveError as exc:
            return _refuse(str(exc))
        alpha = settings.background == Background.TRANSPARENT
        output = output_for(source.name, studio.out, alpha=alpha, taken=studio.store.outputs_in_use())
        job_id = studio.store.add_job(source.id, output, settings.to_mapping())
        studio.workers.wake()
        return JSONResponse({"id": job_id}, status_code=201)

    async def cancel(request: Request) -> Response:
        if not studio.workers.cancel(request.path_params["job"]):
            return _refuse("Only a queued or running job can be cancelled.", 409)
        return JSONResponse({"ok": True})

    async def retry(request: Request) -> Response:
        if not studio.store.move(request.path_params["job"], (State.FAILED, State.CANCELLED), State.QUEUED):
            return _refuse("Only a failed or cancelled job can be retried.", 409)
        studio.workers.wake()
        return JSONResponse({"ok": True})

    async def download(request: Request) -> Response:
        job = studio.store.job(request.path_params["job"])
        if job is None or job.state != State.DONE or not job.output.is_file():
            return _refuse("This job has no finished result to download.", 404)
        return FileResponse(job.output, filename=job.output.name)

    async def reveal(request: Request) -> Response:
        opened = open_folder(studio.out)
        print(f"Results are in {studio.out}", flush=True)
        return JSONResponse({"folder": str(studio.out), "opened": opened})

    routes = [
        Route("/", index),
        Route("/api/schema", schema),
        Route("/api/state", state),
        Route("/api/uploads", upload, methods=["PUT"]),
        Route("/api/uploads/check", check, methods=["POST"]),
        Route("/api/preview", preview, methods=["POST"]),
        Route("/api/jobs", submit, methods=["POST"]),
        Route("/api/jobs/{job:int}/cancel", cancel, methods=["POST"]),
        Route("/api/jobs/{job:int}/retry", retry, methods=["POST"]),
        Route("/api/reveal", reveal, methods=["POST"]),
        Route("/api/jobs/{job:int}/download", download),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(Guard, hosts=hosts, token=studio.token)])
