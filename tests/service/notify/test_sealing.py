"""Webhook secrets at rest: sealed with a key from the settings, never stored in clear; the
signatures made with them still verify, and secrets stored in clear before keep working."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from accord.errors import UsageError
from accord.service.notify import Channel, Notifier, create_subscription, verify
from accord.service.notify.events import Event, EventKind
from accord.service.notify.outbox import enqueue
from accord.service.notify.sealing import PREFIX, SecretBox, secret_box
from accord.service.settings import ServiceSettings, get_service_settings
from accord.service.tenancy import Principal
from accord.store.schema import SubscriptionRow
from tests.service.notify.receivers import http_receiver

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
EVENT = Event(EventKind.BREACH, "k-1", "alpha-desk", {"event": "sla.breach", "ticket": "T-1"})


def stored_secret(engine: Engine, subscription: int) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(SubscriptionRow.secret).where(
            SubscriptionRow.id == subscription))


def test_a_sealed_secret_opens_only_with_its_key() -> None:
    box = SecretBox("k" * 40)
    sealed = box.seal("s3cret")
    assert sealed.startswith(PREFIX)
    assert "s3cret" not in sealed
    assert box.seal("s3cret") != sealed  # a fresh nonce each time
    assert box.open(sealed) == "s3cret"
    assert box.open("s3cret") == "s3cret"  # stored in clear by an earlier Accord
    with pytest.raises(UsageError, match="sealed with another key"):
        SecretBox("m" * 40).open(sealed)


def test_the_key_comes_from_the_secret_key_setting(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.delenv("ACCORD_SECRET_KEY", raising=False)
    development = get_service_settings(dotenv=tmp_path / ".env")
    assert development.webhook_key == ServiceSettings(store=development.store).webhook_key
    monkeypatch.setenv("ACCORD_SECRET_KEY", "x" * 48)
    configured = get_service_settings(dotenv=tmp_path / ".env")
    assert configured.webhook_key == "x" * 48
    sealed = secret_box(configured.webhook_key).seal("s3cret")
    assert secret_box().open(sealed) == "s3cret"  # read from the settings on demand
    with pytest.raises(UsageError):
        secret_box(development.webhook_key).open(sealed)


def test_the_stored_secret_is_sealed_and_deliveries_are_still_signed(
        world: Engine, notifier: Notifier) -> None:
    with http_receiver() as receiver:
        made = create_subscription(world, Principal.system(), channel=Channel.WEBHOOK,
                                   target=receiver.url, now=NOW, secret="s3cret-of-the-hook")
        stored = stored_secret(world, made.subscription.id)
        assert stored is not None
        assert "s3cret-of-the-hook" not in stored
        assert stored.startswith(PREFIX)
        enqueue(world, made.subscription.id, [EVENT], now=NOW)
        assert notifier.deliver_due(world, NOW).delivered == 1
    [request] = receiver.received
    assert verify(request.body, "s3cret-of-the-hook", request.headers["X-Accord-Signature"])


def test_a_secret_stored_in_clear_before_still_signs(world: Engine, notifier: Notifier) -> None:
    with http_receiver() as receiver:
        made = create_subscription(world, Principal.system(), channel=Channel.WEBHOOK,
                                   target=receiver.url, now=NOW, secret="ignored")
        with world.begin() as connection:
            connection.execute(update(SubscriptionRow).where(
                SubscriptionRow.id == made.subscription.id).values(secret="old-clear-secret"))
        enqueue(world, made.subscription.id, [EVENT], now=NOW)
        assert notifier.deliver_due(world, NOW).delivered == 1
    [request] = receiver.received
    assert verify(request.body, "old-clear-secret", request.headers["X-Accord-Signature"])


def test_a_secret_sealed_with_another_key_is_a_final_failure_not_a_crash(
        world: Engine, notifier: Notifier) -> None:
    with http_receiver() as receiver:
        made = create_subscription(world, Principal.system(), channel=Channel.WEBHOOK,
                                   target=receiver.url, now=NOW, secret="s3cret",
                                   box=SecretBox("another installation's key, long enough"))
        enqueue(world, made.subscription.id, [EVENT], now=NOW)
        assert notifier.deliver_due(world, NOW).dead == 1
    assert receiver.received == []


def test_the_api_stores_the_secret_sealed_with_the_settings_key(world: Engine) -> None:
    from fastapi.testclient import TestClient

    from accord.service import create_app
    from accord.service.accounts import add_user, create_token
    from accord.service.tenancy import Role, Scope
    from accord.store import get_settings

    key = "the installation's own secret key, long enough"
    settings = ServiceSettings(store=get_settings(world.url.render_as_string(
        hide_password=False)), webhook_key=key)
    add_user(world, username="ada", password="correct horse battery", role=Role.ADMIN,
             party=None, now=NOW)
    token = create_token(world, username="ada", name="t", scopes=list(Scope), now=NOW).secret
    client = TestClient(create_app(settings, world, clock=lambda: NOW),
                        headers={"Authorization": f"Bearer {token}"})
    made = client.post("/api/subscriptions", json={"target": "https://hooks.example.com/a"})
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    stored = stored_secret(world, made.json()["subscription"]["id"])
    assert stored is not None
    assert secret not in stored
    assert secret_box(key).open(stored) == secret
    with pytest.raises(UsageError):
        secret_box().open(stored)  # not the development key
