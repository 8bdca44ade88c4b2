"""``accord worker`` and ``accord subscriptions``: warnings, breaches and period close, told to
subscribers by webhook or email (issue 4, item 4)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from accord.cli._app import app, connect_database, instant, out, stderr, user
from accord.cli._files import Db
from accord.errors import Problem, UsageError

__all__ = ["worker"]

subscriptions_app = typer.Typer(help="Who is told of warnings, breaches and closed periods.",
                                no_args_is_help=True)
app.add_typer(subscriptions_app, name="subscriptions")


def _show(table: Table) -> None:
    console = out()
    if not console.is_terminal:
        console = Console(highlight=False, width=500)
    console.print(table)


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=True)
    return table


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _list(text: str | None) -> list[str] | None:
    return None if text is None else [p.strip() for p in text.split(",") if p.strip()]


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Do one pass and exit (for scripts and tests).")
                    ] = False,
    at: Annotated[str | None, typer.Option(
        help="With --once: the pass as of this instant (ISO 8601 with offset); default: now.")
    ] = None,
    interval: Annotated[float, typer.Option(
        help="Seconds between passes; a pass also runs soon after each ingestion.")] = 60.0,
    poll: Annotated[float, typer.Option(
        help="Seconds between checks for new ingestions and due retries.")] = 5.0,
    db: Db = None,
) -> None:
    """Send warnings (75 % and 90 % of a target), breaches and credit statements at period
    close to every subscription, each once; retry failed deliveries with backoff."""
    from accord.service.notify import Notifier, Worker, run_once, stop_on_signals

    if at is not None and not once:
        raise UsageError("--at goes with --once", [Problem(
            "--at is only for one pass (--once); the loop always runs as of now",
            hint="add --once, or leave out --at")])
    if interval <= 0 or poll <= 0:
        raise UsageError(f"--interval {interval} and --poll {poll} must be positive seconds")
    if not logging.getLogger().handlers:
        # Accord's own news (retries, dead letters, signals); libraries only when they warn.
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("accord").setLevel(logging.INFO)
    engine = connect_database(db, create=True)
    notifier = Notifier()
    try:
        if once:
            now = datetime.now(UTC)
            report = run_once(engine, instant(at) if at else now, now=now, notifier=notifier)
            out().print(report.summary(), markup=False)
            return
        loop = Worker(engine, interval=interval, poll=poll, notifier=notifier,
                      report=lambda done: out().print(done.summary(), markup=False),
                      publish_reports=True)
        stderr().print(f"accord worker: a pass every {interval:g} s and after each ingestion; "
                       "stop with Ctrl-C or SIGTERM", markup=False)
        with stop_on_signals(loop.stop):
            loop.run()
        stderr().print("accord worker: stopped", markup=False)
    finally:
        notifier.close()
        engine.dispose()


@subscriptions_app.command("add")
def subscriptions_add(
    url: Annotated[str | None, typer.Option(help="Send webhooks to this URL.")] = None,
    email: Annotated[str | None, typer.Option(help="Send emails to this address.")] = None,
    secret: Annotated[str | None, typer.Option(
        help="The webhook's signing secret; default: a new random one, printed once.")
    ] = None,
    party: Annotated[str | None, typer.Option(
        help="Only the agreements where this party is the customer.")] = None,
    events: Annotated[str | None, typer.Option(
        help="Comma-separated: sla.warning, sla.breach, sla.period_closed; default: all.")
    ] = None,
    agreement: Annotated[list[str] | None, typer.Option(
        help="Only this agreement's events (repeat for more).")] = None,
    thresholds: Annotated[str | None, typer.Option(
        help="Warning thresholds, e.g. 0.75,0.9 or 75%,90%; default: ACCORD_WARN_THRESHOLDS "
             "or 0.75,0.9.")] = None,
    owner: Annotated[str | None, typer.Option(
        "--user", help="The user it belongs to: it sees what that user may see.")] = None,
    db: Db = None,
) -> None:
    """Subscribe a webhook URL or an email address to events."""
    from accord.service.notify import Channel, create_subscription
    from accord.service.settings import get_service_settings, parse_thresholds
    from accord.service.tenancy import Principal

    if (url is None) == (email is None):
        raise UsageError("give --url or --email", [Problem(
            "a subscription goes to one webhook URL (--url) or one email address (--email)",
            hint="give exactly one of them")])
    levels = parse_thresholds(thresholds, "--thresholds") if thresholds \
        else get_service_settings(db).thresholds
    engine = connect_database(db, create=True)
    try:
        system = Principal.system()
        made = create_subscription(
            engine, Principal(None, user(), system.role, None, system.scopes),
            channel=Channel.WEBHOOK if url else Channel.EMAIL, target=url or email or "",
            now=datetime.now(UTC), secret=secret, party=party, events=_list(events),
            agreements=agreement, thresholds=levels, owner=owner)
    finally:
        engine.dispose()
    shown = made.subscription
    out().print(f"subscription {shown.id}: {', '.join(shown.events)} to {shown.channel} "
                f"{shown.target}" + (f" for party {shown.party}" if shown.party else ""),
                markup=False)
    if made.secret and not secret:
        out().print("the webhook secret (shown once; receivers check X-Accord-Signature "
                    "with it):", markup=False)
        out().print(made.secret, markup=False)


@subscriptions_app.command("list")
def subscriptions_list(db: Db = None) -> None:
    """Every subscription."""
    from accord.service.notify import list_subscriptions
    from accord.service.tenancy import Principal

    engine = connect_database(db)
    try:
        found = list_subscriptions(engine, Principal.system())
    finally:
        engine.dispose()
    if not found:
        out().print("No subscription; add one with `accord subscriptions add --url URL`.")
        return
    table = _table("id", "channel", "target", "owner", "party", "events", "agreements",
                   "thresholds", "created")
    for s in found:
        table.add_row(str(s.id), s.channel, s.target, s.owner or "—", s.party or "—",
                      ", ".join(s.events), ", ".join(s.agreements or ["all"]),
                      ", ".join(f"{t:g}" for t in s.thresholds),
                      f"{_when(s.created_at)} by {s.created_by}")
    _show(table)


@subscriptions_app.command("remove")
def subscriptions_remove(
    subscription_id: Annotated[int, typer.Argument(metavar="ID", help="The subscription's id.")],
    db: Db = None,
) -> None:
    """Remove a subscription, with its notifications and their delivery history."""
    from accord.service.notify import delete_subscription
    from accord.service.tenancy import Principal

    engine = connect_database(db)
    try:
        delete_subscription(engine, Principal.system(), subscription_id)
    finally:
        engine.dispose()
    out().print(f"subscription {subscription_id} removed", markup=False)


@subscriptions_app.command("deliveries")
def subscriptions_deliveries(
    subscription: Annotated[int | None, typer.Option(help="Only this subscription's.")] = None,
    status: Annotated[str | None, typer.Option(
        help="Only pending, delivered or dead (the dead letters).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    output: Annotated[str, typer.Option(
        "--format", help="table, or json (with the bodies and every attempt).")] = "table",
    db: Db = None,
) -> None:
    """The notifications sent, being retried, or given up (dead letters)."""
    from accord.service.notify import DeliveryStatus, list_deliveries
    from accord.service.tenancy import Principal

    if output not in ("table", "json"):
        raise UsageError(f"--format {output!r} is not one of table, json")
    try:
        chosen = None if status is None else DeliveryStatus(status)
    except ValueError:
        raise UsageError(f"--status {status!r} is not one of "
                         + ", ".join(s.value for s in DeliveryStatus)) from None
    engine = connect_database(db)
    try:
        total, found = list_deliveries(engine, Principal.system(), subscription_id=subscription,
                                       status=chosen, limit=limit)
    finally:
        engine.dispose()
    if output == "json":
        json.dump([d.document() for d in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    table = _table("id", "subscription", "event", "key", "status", "attempts", "next attempt",
                   "last error", "delivery id")
    for d in found:
        table.add_row(str(d.id), str(d.subscription_id), d.event, d.event_key, d.status,
                      str(d.attempts), _when(d.next_attempt_at), d.last_error or "—",
                      d.delivery_id)
    _show(table)
    if total > len(found):
        stderr().print(f"{len(found)} of {total} shown (--limit)", markup=False)


@subscriptions_app.command("retry")
def subscriptions_retry(
    delivery: Annotated[int, typer.Argument(metavar="ID", help="The dead letter's id.")],
    db: Db = None,
) -> None:
    """Send a dead letter again at the worker's next pass (same delivery id and body)."""
    from accord.service.notify import retry_delivery
    from accord.service.tenancy import Principal

    engine = connect_database(db)
    try:
        retry_delivery(engine, Principal.system(), delivery, now=datetime.now(UTC))
    finally:
        engine.dispose()
    out().print(f"delivery {delivery} will be sent again at the worker's next pass",
                markup=False)
