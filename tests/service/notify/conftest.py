"""Fixtures of the notification tests: a world of two customers, a notifier whose backoff has
no jitter (it always waits the longest) and whose email goes to a local SMTP server."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from accord.service.notify import MailSender, Notifier, RetryPolicy, SmtpSettings, WebhookSender
from tests.service.notify.receivers import Mailbox, smtp_server
from tests.service.notify.world import apply


@pytest.fixture(autouse=True)
def _private_targets_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receivers here listen on 127.0.0.1, which customers may not target by default
    (tests/service/notify/test_targets.py holds that rule)."""
    monkeypatch.setenv("ACCORD_WEBHOOK_ALLOW_PRIVATE", "true")


class Longest(random.Random):
    """Full jitter without the randomness: every wait is the longest the policy allows."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def world(engine: Engine, tmp_path: Path) -> Engine:
    """The database with the agreements of customers ``alpha`` and ``beta``."""
    apply(engine, tmp_path / "agreements", "alpha", "beta")
    return engine


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as box:
        yield box


@pytest.fixture
def notifier(mailbox: Mailbox) -> Iterator[Notifier]:
    made = Notifier(
        webhooks=WebhookSender(timeout=2.0),
        mail=MailSender(lambda: SmtpSettings(mailbox.host, mailbox.port, "accord@example.com",
                                             starttls=False, timeout=5.0)),
        policy=RetryPolicy(max_attempts=4, base=timedelta(seconds=1),
                           cap=timedelta(seconds=60)),
        rng=Longest(), lease=timedelta(minutes=5))
    yield made
    made.close()
