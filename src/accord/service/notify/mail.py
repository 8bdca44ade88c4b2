"""Email over SMTP: a readable plain-text message per notification.

The SMTP server is configured by environment variables, read when the first email is sent
(never at import):

    ACCORD_SMTP_HOST       the server (required to send email)
    ACCORD_SMTP_PORT       default 587 with STARTTLS, else 25
    ACCORD_SMTP_FROM       the sender address (default accord@<host name>)
    ACCORD_SMTP_USER       log in as this user (with ACCORD_SMTP_PASSWORD), if given
    ACCORD_SMTP_PASSWORD
    ACCORD_SMTP_STARTTLS   true | false (default true)

A 5xx reply refuses the message for good; a 4xx reply, a timeout or a lost connection is
retried (RFC 5321 §4.2.1: 4yz is a transient, 5yz a permanent failure).
"""

from __future__ import annotations

import os
import smtplib
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from accord.errors import Problem, UsageError
from accord.service.notify.outcome import Outcome, Result

__all__ = ["MailSender", "SmtpSettings", "compose", "smtp_settings"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    sender: str = "accord@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The SMTP settings of the environment (UsageError when they are missing or wrong)."""
    env = os.environ if environ is None else environ
    host = env.get("ACCORD_SMTP_HOST", "").strip()
    if not host:
        raise UsageError("no SMTP server", [Problem(
            "ACCORD_SMTP_HOST is not set, so email cannot be sent",
            hint="set ACCORD_SMTP_HOST (and ACCORD_SMTP_PORT, ACCORD_SMTP_FROM, …)")])
    flag = env.get("ACCORD_SMTP_STARTTLS", "true").strip().lower()
    if flag not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise UsageError("bad ACCORD_SMTP_STARTTLS", [Problem(
            f"ACCORD_SMTP_STARTTLS is {flag!r}", hint="write true or false")])
    starttls = flag in ("1", "true", "yes", "on")
    port_text = env.get("ACCORD_SMTP_PORT", "").strip() or ("587" if starttls else "25")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError("bad ACCORD_SMTP_PORT", [Problem(
            f"ACCORD_SMTP_PORT is {port_text!r}", hint="give a port number, e.g. 587")])
    sender = env.get("ACCORD_SMTP_FROM", "").strip() or f"accord@{socket.getfqdn()}"
    return SmtpSettings(host, int(port_text), sender, env.get("ACCORD_SMTP_USER") or None,
                        env.get("ACCORD_SMTP_PASSWORD") or None, starttls)


class MailSender:
    """Sends notifications by email; settings are made on first use by ``settings``."""

    def __init__(self, settings: Callable[[], SmtpSettings] = smtp_settings) -> None:
        self._settings = settings

    def send(self, address: str, payload: Mapping[str, Any], *, delivery_id: str) -> Outcome:
        started = time.perf_counter()
        try:
            settings = self._settings()
        except UsageError as error:
            # The operator can fix the configuration: keep retrying until then.
            return Outcome(Result.RETRY, error=str(error.problems[0]) if error.problems
                           else error.message)
        message = compose(payload, sender=settings.sender, to=address, delivery_id=delivery_id)
        try:
            with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
                if settings.starttls:
                    smtp.starttls()
                if settings.user:
                    smtp.login(settings.user, settings.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            return _refused(min(codes) if codes else None, f"recipient refused: {codes}",
                            started)
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode("utf-8", "replace") \
                if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
            return _refused(error.smtp_code, f"SMTP {error.smtp_code} {text}", started)
        except (smtplib.SMTPException, OSError) as error:
            return Outcome(Result.RETRY, error=f"{type(error).__name__}: {error}",
                           duration_ms=_since(started))
        if refused:
            return _refused(None, f"recipient refused: {refused}", started)
        return Outcome(Result.DELIVERED, 250, duration_ms=_since(started))


def _refused(code: int | None, error: str, started: float) -> Outcome:
    final = code is not None and 500 <= code < 600
    return Outcome(Result.FINAL if final else Result.RETRY, code,
                   error + ("" if final else " (will retry)"), _since(started))


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def compose(payload: Mapping[str, Any], *, sender: str, to: str,
            delivery_id: str) -> EmailMessage:
    """The email of a notification: a subject that says it all, and a plain-text body."""
    subject, lines = _text(payload)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(idstring=delivery_id, domain="accord")
    message["X-Accord-Event"] = str(payload["event"])
    message["X-Accord-Delivery"] = delivery_id
    footer = ["", "--", f"Accord · delivery {delivery_id}",
              "You receive this because of a subscription to these events."]
    message.set_content("\n".join([*lines, *footer]) + "\n")
    return message


def _text(payload: Mapping[str, Any]) -> tuple[str, list[str]]:
    event = payload["event"]
    if event == "sla.test":
        return "Accord test notification", [
            "This is a test of your Accord subscription: it reaches you.", "",
            *_rows([("Requested by", payload.get("requested_by") or "—"),
                    ("As of", payload["at"])])]
    agreement, customer = payload["agreement"], payload["customer"]
    if event == "sla.period_closed":
        statement: Mapping[str, Any] = payload.get("statement") or {}
        sentence = statement.get("text")
        lines = [f"The period {payload['period']} has closed for agreement {agreement} "
                 f"(customer {customer}).", ""]
        if sentence:
            lines += [str(sentence), ""]
        lines += _rows([("Agreement", agreement), ("Customer", customer),
                        ("Period", payload["period"]), ("As of", payload["at"])])
        return f"SLA statement for {payload['period']}: {agreement}, {customer}", lines
    objective, ticket = payload["objective"], payload["ticket"]
    elapsed, target = float(payload["elapsed_s"]), float(payload["target_s"])
    used = elapsed / target if target else 0.0
    if event == "sla.breach":
        subject = f"SLA breach: ticket {ticket} missed its {objective} target ({agreement})"
        head = (f"Ticket {ticket} of {customer} has missed its {objective} target under "
                f"agreement {agreement}: {_duration(elapsed)} used of {_duration(target)}.")
    else:
        share = f"{float(payload['threshold']) * 100:g} %"
        subject = (f"SLA warning: ticket {ticket} at {share} of its {objective} target "
                   f"({agreement})")
        head = (f"Ticket {ticket} of {customer} has used {used * 100:.0f} % of its {objective} "
                f"target under agreement {agreement}.")
    left = float(payload.get("time_left_s") or 0.0)
    rows = [("Agreement", agreement), ("Customer", customer), ("Objective", objective),
            ("Ticket", ticket),
            ("Elapsed", f"{_duration(elapsed)} of {_duration(target)} ({used * 100:.0f} %)"),
            ("Time left", _duration(left) if left > 0 else "none — the target is missed"),
            ("Due", payload.get("due_at") or "— (the clock is paused)"),
            ("State", payload.get("state") or "—"), ("As of", payload["at"])]
    return subject, [head, "", *_rows(rows)]


def _rows(rows: list[tuple[str, Any]]) -> list[str]:
    width = max(len(name) for name, _ in rows)
    return [f"  {name.ljust(width)}  {value}" for name, value in rows]


def _duration(seconds: float) -> str:
    """``2h 05m``, ``45m 10s``, ``3d 4h``: the two largest units."""
    whole = round(abs(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s"
