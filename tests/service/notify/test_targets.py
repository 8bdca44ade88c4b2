"""A customer's or supplier's webhook may only point at a public address (no SSRF)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from accord.errors import NotAllowedError, UsageError
from accord.service.notify.targets import check_public_target


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook",
    "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x"])
def test_private_targets_are_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    with pytest.raises(NotAllowedError, match="is at a non-public address"):
        check_public_target(url)


def test_public_addresses_pass_and_the_operator_may_allow_private_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    check_public_target("https://8.8.8.8/hook")
    monkeypatch.setenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", "true")
    check_public_target("http://127.0.0.1:8000/hook")


def test_an_unresolvable_host_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    with pytest.raises(UsageError, match="does not resolve"):
        check_public_target("https://no-such-host.invalid/hook")


def test_a_customer_cannot_subscribe_a_loopback_webhook(world: Engine,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from accord.service.notify import Channel, create_subscription
    from accord.service.tenancy import Principal, Role, Scope

    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    customer = Principal(None, "ann", Role.CUSTOMER, "alpha", frozenset({Scope.READ}))
    staff = Principal(None, "sam", Role.STAFF, None, frozenset({Scope.READ}))
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with pytest.raises(NotAllowedError):
        create_subscription(world, customer, channel=Channel.WEBHOOK,
                            target="http://127.0.0.1:9/x", now=now)
    made = create_subscription(world, staff, channel=Channel.WEBHOOK,
                               target="http://127.0.0.1:9/x", now=now)
    assert made.subscription.target == "http://127.0.0.1:9/x"


def test_a_customers_webhook_is_checked_again_at_each_delivery(
        world: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from accord.service.accounts import add_user
    from accord.service.notify import Channel, Notifier, WebhookSender, create_subscription
    from accord.service.notify.events import Event, EventKind
    from accord.service.notify.outbox import enqueue, list_deliveries
    from accord.service.tenancy import Principal, Role, Scope
    from tests.service.notify.receivers import http_receiver

    monkeypatch.delenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", raising=False)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    ann = add_user(world, username="ann", password="correct horse battery staple",
                   role=Role.CUSTOMER, party="alpha", now=now)
    customer = Principal(ann.id, "ann", Role.CUSTOMER, "alpha", frozenset({Scope.READ}))
    with http_receiver() as receiver:
        url = receiver.url.replace("127.0.0.1", "rebinding.example.invalid")
        made = create_subscription(world, customer, channel=Channel.WEBHOOK, target=url,
                                   now=now, resolver=lambda host, port: ["93.184.216.34"])
        enqueue(world, made.subscription.id, [Event(EventKind.BREACH, "k-1", "alpha-desk",
                                                    {"event": "sla.breach"})], now=now)
        notifier = Notifier(webhooks=WebhookSender(
            timeout=2.0, resolver=lambda host, port: ["127.0.0.1"]))
        try:
            assert notifier.deliver_due(world, now).dead == 1
        finally:
            notifier.close()
    assert receiver.received == []
    _, [delivery] = list_deliveries(world, Principal.system())
    assert delivery.last_error is not None
    assert "is at a non-public address (127.0.0.1)" in delivery.last_error
