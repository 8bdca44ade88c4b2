"""Email over SMTP against a real local server (aiosmtpd): the message, its settings from the
environment, and which refusals are final."""

from __future__ import annotations

import pytest

from accord.errors import UsageError
from accord.service.notify import MailSender, SmtpSettings, smtp_settings
from accord.service.notify.mail import compose
from accord.service.notify.outcome import Result
from tests.service.notify.receivers import Mailbox, free_port

WARNING = {
    "event": "sla.warning", "agreement": "acme-it-support", "customer": "acme",
    "objective": "resolution", "ticket": "T-1042", "threshold": 0.75, "state": "running",
    "elapsed_s": 10800.0, "target_s": 14400, "time_left_s": 3600.0,
    "due_at": "2026-03-03T13:30:00Z", "at": "2026-03-03T12:30:00Z",
}


def sender(box: Mailbox) -> MailSender:
    return MailSender(lambda: SmtpSettings(box.host, box.port, "accord@example.com",
                                           starttls=False, timeout=5))


def test_a_warning_email_reads_as_a_sentence_and_a_table() -> None:
    message = compose(WARNING, sender="accord@example.com", to="ops@example.com",
                      delivery_id="d-1")
    assert message["Subject"] == ("SLA warning: ticket T-1042 at 75 % of its resolution "
                                  "target (acme-it-support)")
    assert message["X-Accord-Delivery"] == "d-1"
    lines = message.get_content().splitlines()
    assert lines[:10] == [
        "Ticket T-1042 of acme has used 75 % of its resolution target under agreement "
        "acme-it-support.",
        "",
        "  Agreement  acme-it-support",
        "  Customer   acme",
        "  Objective  resolution",
        "  Ticket     T-1042",
        "  Elapsed    3h 00m of 4h 00m (75 %)",
        "  Time left  1h 00m",
        "  Due        2026-03-03T13:30:00Z",
        "  State      running",
    ]


def test_a_period_close_email_carries_the_statement_sentence() -> None:
    payload = {"event": "sla.period_closed", "agreement": "acme-it-support",
               "customer": "acme", "period": "2026-03", "at": "2026-04-01T00:05:00Z",
               "statement": {"text": "You are entitled to EUR 480.00 under section 9.2.4: "
                                     "4 tickets resolved late."}}
    message = compose(payload, sender="a@example.com", to="b@example.com", delivery_id="d")
    assert message["Subject"] == "SLA statement for 2026-03: acme-it-support, acme"
    assert "You are entitled to EUR 480.00 under section 9.2.4: 4 tickets resolved late." \
        in message.get_content().splitlines()


def test_an_email_is_received_by_the_smtp_server(mailbox: Mailbox) -> None:
    outcome = sender(mailbox).send("ops@example.com", WARNING, delivery_id="d-2")
    assert outcome.result is Result.DELIVERED
    [message] = mailbox.messages
    assert mailbox.recipients == [["ops@example.com"]]
    assert (message["From"], message["To"]) == ("accord@example.com", "ops@example.com")
    assert message["X-Accord-Event"] == "sla.warning"
    assert "  Time left  1h 00m" in message.get_content()


@pytest.mark.parametrize(("reply", "result"), [("550 5.1.1 no such user", Result.FINAL),
                                               ("451 4.3.0 try again later", Result.RETRY)])
def test_a_permanent_refusal_is_final_and_a_transient_one_is_retried(
        mailbox: Mailbox, reply: str, result: Result) -> None:
    mailbox.refuse = reply
    outcome = sender(mailbox).send("nobody@example.com", WARNING, delivery_id="d-3")
    assert outcome.result is result
    assert outcome.status_code == int(reply[:3])
    assert mailbox.messages == []


def test_an_unreachable_server_is_retried() -> None:
    gone = MailSender(lambda: SmtpSettings("127.0.0.1", free_port(), starttls=False, timeout=2))
    assert gone.send("ops@example.com", WARNING, delivery_id="d-4").result is Result.RETRY


def test_smtp_settings_come_from_the_environment_with_defaults() -> None:
    assert smtp_settings({"ACCORD_SMTP_HOST": "mail.example.com",
                          "ACCORD_SMTP_FROM": "sla@example.com"}) == SmtpSettings(
        "mail.example.com", 587, "sla@example.com", None, None, True)
    assert smtp_settings({"ACCORD_SMTP_HOST": "mx", "ACCORD_SMTP_STARTTLS": "false",
                          "ACCORD_SMTP_USER": "u", "ACCORD_SMTP_PASSWORD": "p",
                          "ACCORD_SMTP_FROM": "a@b.c"}) == SmtpSettings(
        "mx", 25, "a@b.c", "u", "p", False)


@pytest.mark.parametrize(("environ", "message"), [
    ({}, "ACCORD_SMTP_HOST is not set"),
    ({"ACCORD_SMTP_HOST": "mx", "ACCORD_SMTP_PORT": "smtp"}, "ACCORD_SMTP_PORT is 'smtp'"),
    ({"ACCORD_SMTP_HOST": "mx", "ACCORD_SMTP_STARTTLS": "maybe"}, "ACCORD_SMTP_STARTTLS"),
])
def test_missing_or_wrong_smtp_settings_say_which_variable(
        environ: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError) as raised:
        smtp_settings(environ)
    assert message in str(raised.value.problems[0])


def test_without_an_smtp_server_configured_email_waits_for_one() -> None:
    outcome = MailSender(lambda: smtp_settings({})).send("ops@example.com", WARNING,
                                                         delivery_id="d-5")
    assert outcome.result is Result.RETRY
    assert outcome.error is not None
    assert "ACCORD_SMTP_HOST" in outcome.error
