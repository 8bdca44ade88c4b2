"""Webhooks: a notification POSTed as JSON, signed with the subscription's secret.

Headers (issue 4, item 4):

    X-Accord-Signature   sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>
    X-Accord-Event       sla.warning | sla.breach | sla.period_closed
    X-Accord-Delivery    the notification's id, the same on every retry (for de-duplication)

A 2xx answer delivers. 408, 429, any 5xx, a timeout or a connection error may pass later and
is retried; any other answer is final (redirects are not followed: give the final URL).
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx

from accord import __version__
from accord.service.notify.outcome import Outcome, Result

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

    def __init__(self, client: httpx.Client | None = None, *, timeout: float = 10.0) -> None:
        self._client = client
        self._owned = client is None
        self._timeout = timeout

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout, follow_redirects=False,
                                        headers={"User-Agent": f"Accord/{__version__}"})
        return self._client

    def send(self, url: str, body: bytes, *, secret: str | None, event: str,
             delivery_id: str) -> Outcome:
        headers = {"Content-Type": "application/json", "X-Accord-Event": event,
                   "X-Accord-Delivery": delivery_id}
        if secret:
            headers[SIGNATURE_HEADER] = sign(body, secret)
        started = time.perf_counter()
        try:
            response = self._http().post(url, content=body, headers=headers)
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

    def close(self) -> None:
        if self._owned and self._client is not None:
            self._client.close()
            self._client = None


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
