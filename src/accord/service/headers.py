"""The security headers every answer carries (OWASP Secure Headers Project):

- ``Content-Security-Policy``: scripts, styles, images, fonts and connections from this site
  only, never framed (``frame-ancestors 'none'``), no plugins, forms post only here. Inline
  scripts and ``eval`` are refused: the portal's pages keep their data in JSON blocks and
  ``data-`` attributes read by its static scripts, and Vega draws charts with its expression
  interpreter instead of generated code. Inline styles are allowed (``style=`` widths of bars,
  the styles htmx and Vega-Embed add), since they cannot run code. The interactive API docs
  (``/docs``, ``/redoc``) start from one inline script each, allowed by its SHA-256 hash.
- ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``;
  ``X-Content-Type-Options: nosniff``; ``Referrer-Policy: same-origin`` (a page's address,
  which names customers, never goes to another site).
- ``Cache-Control: no-store`` on every answer that does not set its own, except static files:
  pages and API answers hold one caller's data and must not stay in a shared or browser cache.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeaders"]

_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _policy(**more: str) -> str:
    merged = dict(_POLICY)
    for name, value in more.items():
        key = name.replace("_", "-")
        merged[key] = f"{merged[key]} {value}" if key in merged else value
    return "; ".join(f"{name} {value}" for name, value in merged.items())


CONTENT_SECURITY_POLICY = _policy()
"""The policy of every answer but the API docs."""

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def _docs_policy(page: bytes) -> str:
    """The policy of an API docs page: its own inline scripts by hash; ReDoc also runs a
    worker from a ``blob:`` URL."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page))
    return _policy(script_src=hashes, worker_src="blob:") if hashes else _policy(
        worker_src="blob:")


class SecurityHeaders:
    """Adds the headers above to every HTTP answer of ``app``. ``cached`` are the path
    prefixes of static files (which keep their own caching); ``docs`` the paths of the API
    docs pages."""

    def __init__(self, app: ASGIApp, *, cached: Iterable[str], docs: Iterable[str]) -> None:
        self.app = app
        self.cached = tuple(cached)
        self.docs = frozenset(docs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in self.docs:
            await self._docs(scope, receive, send)
            return
        static = path.startswith(self.cached)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add(MutableHeaders(scope=message), CONTENT_SECURITY_POLICY, static)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A docs page is small and made whole: held until its end, to hash its scripts."""
        start: Message | None = None
        body: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            _add(MutableHeaders(scope=start), _docs_policy(b"".join(body)), static=False)
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(body)})

        await self.app(scope, receive, hold)


def _add(headers: MutableHeaders, policy: str, static: bool) -> None:
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not static:
        headers.setdefault("Cache-Control", "no-store")
