"""Webhooks against a real local HTTP server: the signature, the headers, and which answers
are retried."""

from __future__ import annotations

import hashlib
import hmac

import httpx
import pytest

from accord.service.notify import WebhookSender, sign, verify
from accord.service.notify.outcome import Result
from accord.service.notify.targets import check_public_target
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


# DNS rebinding: a public-only webhook is resolved, checked and sent to the address checked --


def test_a_public_only_webhook_goes_to_the_address_checked_with_its_name_as_host() -> None:
    # Private targets are allowed here (the fixture), so that the local receiver may stand
    # for the address the name resolves to: the name itself resolves nowhere.
    asked: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["127.0.0.1"]

    sender = WebhookSender(timeout=5, resolver=resolver)
    with http_receiver() as receiver:
        port = httpx.URL(receiver.url).port
        outcome = sender.send(f"http://hooks.example.invalid:{port}/hooks/accord", BODY,
                              secret="s", event="sla.breach", delivery_id="d-9",
                              public_only=True)
    sender.close()
    assert outcome.result is Result.DELIVERED
    assert asked == [("hooks.example.invalid", port)]
    [request] = receiver.received
    assert request.headers["Host"] == f"hooks.example.invalid:{port}"
    assert verify(request.body, "s", request.headers["X-Accord-Signature"])


def test_a_host_rebound_to_a_private_address_after_subscribing_is_not_sent_to(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    def resolver(host: str, port: int) -> list[str]:
        return next(answers)

    sender = WebhookSender(timeout=5, resolver=resolver)
    with http_receiver() as receiver:
        url = receiver.url.replace("127.0.0.1", "rebinding.example.invalid")
        check_public_target(url, resolver)  # when subscribed: a public address
        outcome = sender.send(url, BODY, secret="s", event="sla.breach", delivery_id="d-10",
                              public_only=True)
    sender.close()
    assert outcome.result is Result.FINAL
    assert outcome.error == ("the webhook's host 'rebinding.example.invalid' is at a "
                             "non-public address (127.0.0.1) (not sent)")
    assert receiver.received == []


def test_https_keeps_the_name_for_the_tls_server_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    sender = WebhookSender(httpx.Client(transport=httpx.MockTransport(answer)),
                           resolver=lambda host, port: ["93.184.216.34", "2606:2800::1"])
    outcome = sender.send("https://hooks.example.com/accord", BODY, secret="s",
                          event="sla.breach", delivery_id="d-11", public_only=True)
    assert outcome.result is Result.DELIVERED
    [request] = seen
    assert (request.url.host, request.url.path) == ("93.184.216.34", "/accord")
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


def test_a_webhook_that_no_longer_resolves_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)

    def resolver(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    outcome = WebhookSender(resolver=resolver).send(
        "https://gone.example.com/x", BODY, secret=None, event="sla.breach",
        delivery_id="d-12", public_only=True)
    assert outcome.result is Result.RETRY
    assert outcome.error == ("the webhook's host 'gone.example.com' does not resolve: "
                             "Name or service not known")
