"""Webhooks against a real local HTTP server: the signature, the headers, and which answers
are retried."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from accord.service.notify import WebhookSender, sign, verify
from accord.service.notify.outcome import Result
from tests.service.notify.receivers import free_port, http_receiver

BODY = b'{"event":"sla.warning","ticket":"T-1","threshold":0.75}'


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body() -> None:
    expected = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, "s3cret") == f"sha256={expected}"
    assert verify(BODY, "s3cret", f"sha256={expected}")
    assert not verify(BODY + b" ", "s3cret", f"sha256={expected}")


def test_a_webhook_carries_the_raw_body_and_the_accord_headers() -> None:
    sender = WebhookSender(timeout=5)
    with http_receiver() as receiver:
        outcome = sender.send(receiver.url, BODY, secret="s3cret", event="sla.warning",
                              delivery_id="d-1")
    sender.close()
    [request] = receiver.received
    assert outcome.result is Result.DELIVERED
    assert outcome.status_code == 200
    assert request.body == BODY
    assert request.path == "/hooks/accord"
    assert verify(request.body, "s3cret", request.headers["X-Accord-Signature"])
    assert (request.headers["X-Accord-Event"], request.headers["X-Accord-Delivery"]) == (
        "sla.warning", "d-1")
    assert request.headers["User-Agent"].startswith("Accord/")


@pytest.mark.parametrize(("status", "result"), [
    (200, Result.DELIVERED), (204, Result.DELIVERED), (500, Result.RETRY),
    (503, Result.RETRY), (408, Result.RETRY), (429, Result.RETRY), (400, Result.FINAL),
    (401, Result.FINAL), (404, Result.FINAL), (301, Result.FINAL),
])
def test_server_errors_408_and_429_are_retried_other_answers_are_final(
        status: int, result: Result) -> None:
    sender = WebhookSender(timeout=5)
    with http_receiver(status) as receiver:
        outcome = sender.send(receiver.url, BODY, secret="s", event="sla.breach",
                              delivery_id="d-2")
    sender.close()
    assert (outcome.result, outcome.status_code) == (result, status)


def test_a_refused_connection_is_retried() -> None:
    sender = WebhookSender(timeout=5)
    outcome = sender.send(f"http://127.0.0.1:{free_port()}/gone", BODY, secret="s",
                          event="sla.breach", delivery_id="d-3")
    sender.close()
    assert outcome.result is Result.RETRY
    assert outcome.error is not None
    assert "ConnectError" in outcome.error


def test_a_receiver_slower_than_the_timeout_is_retried() -> None:
    sender = WebhookSender(timeout=0.2)
    with http_receiver(delay=1.0) as receiver:
        outcome = sender.send(receiver.url, BODY, secret="s", event="sla.breach",
                              delivery_id="d-4")
    sender.close()
    assert outcome.result is Result.RETRY
    assert outcome.error is not None
    assert outcome.error.startswith("timed out")
