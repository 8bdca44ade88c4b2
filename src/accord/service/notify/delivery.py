"""Delivering what is due in the outbox, each by its subscription's channel."""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from accord.errors import UsageError
from accord.service.notify.backoff import RetryPolicy
from accord.service.notify.mail import MailSender
from accord.service.notify.outbox import DeliveryStatus, Due, claim, record
from accord.service.notify.outcome import Outcome, Result
from accord.service.notify.sealing import SecretBox, secret_box
from accord.service.notify.subscriptions import Channel
from accord.service.notify.webhooks import WebhookSender

__all__ = ["Delivered", "Notifier"]

_log = logging.getLogger("accord.worker")


@dataclass(frozen=True)
class Delivered:
    """What one round of delivery did."""

    delivered: int = 0
    retrying: int = 0
    dead: int = 0


@dataclass
class Notifier:
    """The channels and the retry policy; ``rng`` draws the backoff jitter."""

    webhooks: WebhookSender = field(default_factory=WebhookSender)
    mail: MailSender = field(default_factory=MailSender)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)
    box: SecretBox = field(default_factory=secret_box)
    """Opens the webhook secrets sealed at rest (default: with the settings' key)."""
    lease: timedelta = timedelta(minutes=5)
    """How long a claimed delivery is left to its worker before another may send it."""

    def send(self, due: Due) -> Outcome:
        if due.channel == Channel.WEBHOOK.value:
            try:
                secret = None if due.secret is None else self.box.open(due.secret)
            except UsageError as error:
                return Outcome(Result.FINAL, error=error.problems[0].message)
            return self.webhooks.send(due.target, due.body.encode("utf-8"), secret=secret,
                                      event=due.event, delivery_id=due.delivery_id,
                                      public_only=due.public_only)
        if due.channel == Channel.EMAIL.value:
            return self.mail.send(due.target, json.loads(due.body), delivery_id=due.delivery_id)
        return Outcome(Result.FINAL, error=f"unknown channel {due.channel!r}")

    def deliver_due(self, engine: Engine, now: datetime, *, limit: int = 100) -> Delivered:
        """Send every notification due at ``now`` (up to ``limit``) and note each outcome."""
        counts = dict.fromkeys(DeliveryStatus, 0)
        for due in claim(engine, now=now, lease=self.lease, limit=limit):
            outcome = self.send(due)
            status = record(engine, due, outcome, now=now, policy=self.policy, rng=self.rng)
            counts[status] += 1
            if status is not DeliveryStatus.DELIVERED:
                _log.warning("delivery %s (%s to %s) %s: %s", due.delivery_id, due.event,
                             due.target, "dead" if status is DeliveryStatus.DEAD
                             else "to be retried", outcome.error)
        return Delivered(counts[DeliveryStatus.DELIVERED], counts[DeliveryStatus.PENDING],
                         counts[DeliveryStatus.DEAD])

    def close(self) -> None:
        self.webhooks.close()
