"""Who may use the studio: this machine's browser, on the studio's own page, and nobody else.

Three checks on every request, each closing a different door:

- **Host**: the request must name the studio's own address (``127.0.0.1:PORT``, ``localhost:PORT``
  or the address it listens on). A web site that points its own domain at 127.0.0.1 (DNS
  rebinding) sends its domain as Host and is refused. (Listening on every address, ``--host
  0.0.0.0``, the studio cannot know its names, and leaves this check to the other two.)
- **Origin**: a browser names the page a request comes from; a request from any page but the
  studio's own is refused, so another site open in the same browser cannot upload, queue or
  cancel anything.
- **Token**: every ``/api`` request carries the random token of this run (a header the page sets,
  or ``?token=`` on download links); only the studio's page knows it, because browsers do not let
  other sites read that page.

A refusal is a 403 with one sentence saying which check failed.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_HEADER = "x-studio-token"


class Guard:
    """ASGI middleware that refuses requests failing the Host, Origin or token check."""

    def __init__(self, app: ASGIApp, *, hosts: Iterable[str] | None, token: str) -> None:
        """``hosts``: the ``host:port`` names the studio answers to (None: any, see above)."""
        self._app = app
        self._hosts = None if hosts is None else frozenset(hosts)
        self._token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.refusal(scope)
            if refusal is not None:
                await _forbid(send, refusal)
                return
        await self._app(scope, receive, send)

    def refusal(self, scope: Scope) -> str | None:
        """The sentence refusing this request, or None to let it through."""
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        host = headers.get("host", "")
        if self._hosts is not None and host not in self._hosts:
            return f"This studio answers only requests addressed to it, not to {host!r}."
        origin = headers.get("origin")
        if origin is not None and origin != f"http://{host}":
            return f"This studio answers only its own page, not a page from {origin!r}."
        if scope["path"].startswith("/api/"):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = headers.get(TOKEN_HEADER) or next(iter(query.get("token", [])), "")
            if not hmac.compare_digest(given.encode(), self._token.encode()):
                return "This request lacks the studio's token; open the address the studio printed."
        return None


async def _forbid(send: Send, sentence: str) -> None:
    body = json.dumps({"error": sentence}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
