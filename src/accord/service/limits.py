"""The limit on request bodies: a caller, logged in or not, cannot make the server hold more
than ``ACCORD_MAX_BODY_BYTES`` of one request (1 MiB), nor more than
``ACCORD_MAX_INGEST_BYTES`` (256 MiB) of an ingestion batch or upload (``/api/ingest``).

The body is counted as the application reads it, and a ``Content-Length`` past the limit is
refused at the first read, before any of it is read: either way the route's read raises a 413
HTTPException, which the application's error handlers turn into the usual answer (Accord's
JSON error body for the API, the error page for the portal). A route that never reads its body
never holds it.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit"]


class BodyLimit:
    """At most ``limit`` bytes of body per request; ``larger`` maps path prefixes to their
    own limits."""

    def __init__(self, app: ASGIApp, *, limit: int, larger: dict[str, int]) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger

    def limit_of(self, path: str) -> int:
        return next((size for prefix, size in self.larger.items() if path.startswith(prefix)),
                    self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            async def refuse() -> Message:
                raise HTTPException(413, "the request body is too large")
            await self.app(scope, refuse, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, "the request body is too large")
            return message

        await self.app(scope, counted, send)
