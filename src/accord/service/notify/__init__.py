"""Warnings, breaches and period close, told to subscribers by webhook or email (issue 4,
item 4).

    subscriptions   who is told what, by which channel, as whom (tenancy)
    events          warnings at thresholds, breaches, closed periods; each named by a key
    stopped         breaches of tickets that stopped late unseen (resolved between two passes,
                    or loaded already resolved), found by the engine after new data
    outbox          the sent state: each event once per subscription, its delivery and retries
    backoff         exponential backoff with full jitter, then the dead letter
    webhooks        signed JSON over HTTP (X-Accord-Signature, -Event, -Delivery)
    mail            plain-text email over SMTP (ACCORD_SMTP_*)
    delivery        sending what is due, by channel
    closing         which month has closed, evaluated once
    worker          one pass (``run_once``) and the loop of ``accord worker``
"""

from accord.service.notify.backoff import RetryPolicy
from accord.service.notify.delivery import Delivered, Notifier
from accord.service.notify.events import Event, EventKind
from accord.service.notify.mail import MailSender, SmtpSettings, smtp_settings
from accord.service.notify.outbox import (
    Delivery,
    DeliveryStatus,
    list_deliveries,
    retry_delivery,
)
from accord.service.notify.subscriptions import (
    Channel,
    NewSubscription,
    Subscription,
    create_subscription,
    delete_subscription,
    get_subscription,
    list_subscriptions,
    update_subscription,
)
from accord.service.notify.webhooks import WebhookSender, sign, verify
from accord.service.notify.worker import PassReport, Worker, run_once, stop_on_signals

__all__ = [
    "Channel",
    "Delivered",
    "Delivery",
    "DeliveryStatus",
    "Event",
    "EventKind",
    "MailSender",
    "NewSubscription",
    "Notifier",
    "PassReport",
    "RetryPolicy",
    "SmtpSettings",
    "Subscription",
    "WebhookSender",
    "Worker",
    "create_subscription",
    "delete_subscription",
    "get_subscription",
    "list_deliveries",
    "list_subscriptions",
    "retry_delivery",
    "run_once",
    "sign",
    "smtp_settings",
    "stop_on_signals",
    "update_subscription",
    "verify",
]
