"""Webhooks: a notification POSTed as JSON, signed with the subscription's secret.

Headers (issue 4, item 4):

    X-Accord-Signature   sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>
    X-Accord-Event       sla.warning | sla.breach | sla.period_closed
    X-Accord-Delivery    the notification's id, the same on every retry (for de-duplication)

A 2xx answer delivers. 408, 429, any 5xx, a timeout or a connection error may pass later and
is retried; any other answer is final (redirects are not followed: give the final URL).

A webhook that must point at a public address (a customer's or supplier's, accord.service.
notify.targets) is resolved and checked at each delivery, and the request goes to the address
checked: the URL's host is replaced by that address, the ``Host`` header keeps the name and,
for HTTPS, so does the TLS server name (``sni_hostname``), which the certificate is checked
against. A host that resolves to a non-public address by then is not sent to (final).
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from accord import __version__
from accord.errors import NotAllowedError, UsageError
from accord.service.notify.outcome import Outcome, Result
from accord.service.notify.targets import Resolver, allowed_private, public_addresses, resolve

__all__ = ["SIGNATURE_HEADER", "WebhookSender", "sign", "verify"]

SIGNATURE_HEADER = "X-Accord-Signature"
_RETRIED = frozenset({408, 429})


def sign(body: bytes, secret: str) -> str:
    """The ``X-Accord-Signature`` value of ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(body: bytes, secret: str, signature: str) -> bool:
    """Whether ``signature`` is the one of ``body`` (in constant time, as receivers should)."""
    return hmac.compare_digest(sign(body, secret), signature)


class WebhookSender:
    """POSTs notifications with one :class:`httpx.Client` (given, or made on first use)."""

    def __init__(self, client: httpx.Client | None = None, *, timeout: float = 10.0,
                 resolver: Resolver = resolve) -> None:
        self._client = client
        self._owned = client is None
        self._timeout = timeout
        self._resolver = resolver

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout, follow_redirects=False,
                                        headers={"User-Agent": f"Accord/{__version__}"})
        return self._client

    def send(self, url: str, body: bytes, *, secret: str | None, event: str,
             delivery_id: str, public_only: bool = False) -> Outcome:
        """POST ``body`` to ``url``; with ``public_only``, to the address of its host checked
        now (see the module)."""
        headers = {"Content-Type": "application/json", "X-Accord-Event": event,
                   "X-Accord-Delivery": delivery_id}
        if secret:
            headers[SIGNATURE_HEADER] = sign(body, secret)
        started = time.perf_counter()
        extensions: dict[str, str] = {}
        target: httpx.URL | str = url
        if public_only:
            try:
                target, extensions = self._pinned(httpx.URL(url), headers)
            except httpx.InvalidURL as error:
                return Outcome(Result.FINAL, error=f"bad URL: {error}",
                               duration_ms=_since(started))
            except NotAllowedError as error:
                return Outcome(Result.FINAL, error=f"{error.problems[0].message} (not sent)",
                               duration_ms=_since(started))
            except UsageError as error:  # does not resolve now: it may later
                return Outcome(Result.RETRY, error=error.problems[0].message,
                               duration_ms=_since(started))
        try:
            response = self._http().post(target, content=body, headers=headers,
                                         extensions=extensions)
        except httpx.TimeoutException as error:
            return Outcome(Result.RETRY, error=f"timed out: {error or type(error).__name__}",
                           duration_ms=_since(started))
        except httpx.TransportError as error:
            return Outcome(Result.RETRY, error=f"{type(error).__name__}: {error}",
                           duration_ms=_since(started))
        except httpx.InvalidURL as error:
            return Outcome(Result.FINAL, error=f"bad URL: {error}", duration_ms=_since(started))
        took = _since(started)
        status = response.status_code
        if 200 <= status < 300:
            return Outcome(Result.DELIVERED, status, duration_ms=took)
        reason = f"HTTP {status} {response.reason_phrase}".strip()
        if status >= 500 or status in _RETRIED:
            return Outcome(Result.RETRY, status, reason, took)
        return Outcome(Result.FINAL, status, f"{reason} (not retried)", took)

    def _pinned(self, url: httpx.URL, headers: dict[str, str]
                ) -> tuple[httpx.URL, dict[str, str]]:
        """``url`` with its host replaced by the address checked now, and the request's
        extensions; ``headers`` get the ``Host`` of the name."""
        if url.scheme not in ("http", "https") or not url.host:
            raise httpx.InvalidURL(f"{url} is not an http(s) URL")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = public_addresses(url.host, port, self._resolver, check=not allowed_private())
        headers["Host"] = url.netloc.decode("ascii")
        extensions = {"sni_hostname": url.host} if url.scheme == "https" else {}
        return url.copy_with(host=addresses[0]), extensions

    def close(self) -> None:
        if self._owned and self._client is not None:
            self._client.close()
            self._client = None


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
