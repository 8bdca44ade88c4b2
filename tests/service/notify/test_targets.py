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
