"""One pass of the worker, and its loop: warnings in order, each once across restarts, retries
with backoff, dead letters, period close, tenancy, and a pass soon after each ingestion."""

from __future__ import annotations

import json
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from accord.service.notify import (
    Channel,
    DeliveryStatus,
    EventKind,
    Notifier,
    Worker,
    create_subscription,
    list_deliveries,
    retry_delivery,
    run_once,
    stop_on_signals,
    verify,
)
from accord.service.notify import delivery as delivery_module
from accord.service.tenancy import Principal
from accord.store.schema import EvaluationRow, NotificationRow, ReportRow
from tests.service.notify.receivers import HttpReceiver, Mailbox, http_receiver
from tests.service.notify.world import (
    T0,
    Ticket,
    admin_user,
    customer_user,
    load_tickets,
    note_ingestion,
)

SECRET = "whsec-test"
SYSTEM = Principal.system()


def subscribe(engine: Engine, url: str, principal: Principal = SYSTEM, *,
              events: list[str] | None = None, **options: object) -> int:
    """A webhook subscription, to the ticket events unless told otherwise."""
    made = create_subscription(
        engine, principal, channel=Channel.WEBHOOK, target=url, secret=SECRET, now=T0,
        events=events or ["sla.warning", "sla.breach"], **options)  # type: ignore[arg-type]
    return made.subscription.id


def bodies(receiver: HttpReceiver) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in receiver.received]


def events(receiver: HttpReceiver) -> list[tuple[object, ...]]:
    return [(b["event"], b["ticket"], b["threshold"]) for b in bodies(receiver)]


def test_a_ticket_warns_at_75_then_90_percent_then_breaches_as_time_passes(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        seen = []
        # The target is 4h (240 min): 75 % at 180 min, 90 % at 216, breached after 240.
        for minutes in (60, 179, 180, 200, 216, 240, 241, 300):
            before = len(receiver.received)
            run_once(world, T0 + timedelta(minutes=minutes), notifier=notifier)
            seen.append((minutes, events(receiver)[before:]))
    assert seen == [
        (60, []), (179, []), (180, [("sla.warning", "A-1", 0.75)]), (200, []),
        (216, [("sla.warning", "A-1", 0.9)]), (240, []), (241, [("sla.breach", "A-1", None)]),
        (300, []),
    ]


def test_a_webhook_is_signed_and_says_what_happened(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url, events=["sla.warning"], thresholds=[0.5])
        run_once(world, T0 + timedelta(hours=3), notifier=notifier)
    [request] = receiver.received
    body = json.loads(request.body)
    assert verify(request.body, SECRET, request.headers["X-Accord-Signature"])
    assert not verify(request.body, "another secret", request.headers["X-Accord-Signature"])
    assert request.headers["X-Accord-Event"] == "sla.warning"
    assert request.headers["X-Accord-Delivery"] == body["id"]
    assert request.headers["Content-Type"] == "application/json"
    assert {k: body[k] for k in ("event", "agreement", "customer", "objective", "ticket",
                                 "threshold", "elapsed_s", "target_s", "due_at", "at")} == {
        "event": "sla.warning", "agreement": "alpha-support", "customer": "alpha",
        "objective": "resolution", "ticket": "A-1", "threshold": 0.5, "elapsed_s": 10800,
        "target_s": 14400, "due_at": "2026-03-02T13:00:00Z", "at": "2026-03-02T12:00:00Z"}


def test_a_ticket_first_seen_past_its_target_gets_its_breach_only(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        run_once(world, T0 + timedelta(hours=5), notifier=notifier)
        run_once(world, T0 + timedelta(hours=6), notifier=notifier)
    assert events(receiver) == [("sla.breach", "A-1", None)]


def test_a_ticket_loaded_after_its_due_date_gets_its_breach_only(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        run_once(world, T0 + timedelta(hours=1), notifier=notifier)
        # B-1 was opened at T0 too, but only loaded once past its 4-hour target.
        load_tickets(world, tmp_path / "later", [Ticket("A-1", "alpha", T0),
                                                 Ticket("B-1", "beta", T0)])
        run_once(world, T0 + timedelta(hours=4, minutes=30), notifier=notifier)
    assert events(receiver) == [("sla.breach", "A-1", None), ("sla.breach", "B-1", None)]


def test_a_timer_crossing_several_thresholds_between_two_passes_gets_the_highest_only(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url, thresholds=[0.5, 0.75, 0.9])
        seen = []
        # The target is 4h: 50 % at 120 min, 75 % at 180, 90 % at 216, breached after 240.
        for minutes in (130, 220, 230, 250):
            before = len(receiver.received)
            run_once(world, T0 + timedelta(minutes=minutes), notifier=notifier)
            seen.append((minutes, events(receiver)[before:]))
    assert seen == [(130, [("sla.warning", "A-1", 0.5)]), (220, [("sla.warning", "A-1", 0.9)]),
                    (230, []), (250, [("sla.breach", "A-1", None)])]


def test_a_warnings_only_subscription_hears_of_a_breached_ticket_at_its_highest_threshold(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url, events=["sla.warning"])
        run_once(world, T0 + timedelta(hours=5), notifier=notifier)
    assert events(receiver) == [("sla.warning", "A-1", 0.9)]


def test_a_second_pass_or_a_restarted_worker_sends_nothing_again(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0),
                                            Ticket("B-1", "beta", T0)])
    at = T0 + timedelta(hours=3, minutes=30)
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        first = run_once(world, at, notifier=notifier)
        again = run_once(world, at + timedelta(minutes=1), notifier=notifier)
        restarted = Notifier(webhooks=notifier.webhooks, policy=notifier.policy)
        after_restart = run_once(world, at + timedelta(minutes=2), notifier=restarted)
    assert (first.queued, first.delivered) == (2, 2)
    assert (again.queued, again.delivered) == (0, 0)
    assert (after_restart.queued, after_restart.delivered) == (0, 0)
    assert sorted(events(receiver)) == [("sla.warning", "A-1", 0.75),
                                        ("sla.warning", "B-1", 0.75)]


def test_a_worker_that_dies_after_queuing_sends_the_queued_events_when_restarted(
        world: Engine, tmp_path: Path, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    at = T0 + timedelta(hours=3, minutes=30)

    def crash(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        with monkeypatch.context() as patch:
            patch.setattr(Notifier, "deliver_due", crash)
            with pytest.raises(KeyboardInterrupt):
                run_once(world, at, notifier=notifier)
        assert receiver.received == []
        restarted = run_once(world, at + timedelta(minutes=1), notifier=notifier)
    assert restarted.queued == 0
    assert events(receiver) == [("sla.warning", "A-1", 0.75)]


def test_a_worker_that_dies_mid_send_sends_again_with_the_same_delivery_id_after_the_lease(
        world: Engine, tmp_path: Path, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    at = T0 + timedelta(hours=3, minutes=30)

    def crash(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt  # after the receiver got it, before it was noted

    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        with monkeypatch.context() as patch:
            patch.setattr(delivery_module, "record", crash)
            with pytest.raises(KeyboardInterrupt):
                run_once(world, at, notifier=notifier)
        within_lease = run_once(world, at + timedelta(minutes=1), notifier=notifier)
        after_lease = run_once(world, at + notifier.lease, notifier=notifier)
    assert within_lease.delivered == 0
    assert after_lease.delivered == 1
    first, second = receiver.received
    assert first.headers["X-Accord-Delivery"] == second.headers["X-Accord-Delivery"]
    assert first.body == second.body


class FakeTime:
    """The loop's clock and wait: waiting moves the clock on, until ``until``."""

    def __init__(self, start: datetime, until: datetime) -> None:
        self.now = start
        self.until = until
        self.waits: list[float] = []
        self.on_wait: list[object] = []

    def clock(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += timedelta(seconds=seconds)
        return self.now > self.until


def attempt_offsets(engine: Engine, start: datetime) -> list[tuple[float, str]]:
    _, [delivery] = list_deliveries(engine, SYSTEM)
    return [((a.at - start).total_seconds(), a.outcome) for a in delivery.history]


def test_failed_webhooks_are_retried_with_exponential_backoff_and_the_same_delivery_id(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    start = T0 + timedelta(hours=3, minutes=20)
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    time = FakeTime(start, start + timedelta(seconds=20))
    with http_receiver(500, 503, 502) as receiver:
        subscribe(world, receiver.url)
        Worker(world, interval=60, poll=0.5, notifier=notifier, clock=time.clock,
               wait=time.wait).run()
    # Waits of 1 s, 2 s, 4 s (base 1 s, doubling; the jitter stub always takes the longest).
    assert attempt_offsets(world, start) == [(0, "retry"), (1, "retry"), (3, "retry"),
                                             (7, "delivered")]
    assert len({r.headers["X-Accord-Delivery"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    assert all(verify(r.body, SECRET, r.headers["X-Accord-Signature"])
               for r in receiver.received)


def test_a_webhook_failing_every_time_is_dead_lettered_visibly_and_can_be_retried(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    start = T0 + timedelta(hours=3, minutes=20)
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    time = FakeTime(start, start + timedelta(seconds=30))
    with http_receiver(*[500] * 10) as receiver:
        subscribe(world, receiver.url)
        Worker(world, interval=60, poll=0.5, notifier=notifier, clock=time.clock,
               wait=time.wait).run()
        total, dead = list_deliveries(world, SYSTEM, status=DeliveryStatus.DEAD)
        assert attempt_offsets(world, start) == [(0, "retry"), (1, "retry"), (3, "retry"),
                                                 (7, "final")]
        assert total == 1
        assert dead[0].attempts == 4
        assert dead[0].last_error == "HTTP 500 Internal Server Error (gave up after 4 attempts)"
        receiver.answers.clear()
        retry_delivery(world, SYSTEM, dead[0].id, now=time.now)
        notifier.deliver_due(world, time.now)
    [delivered] = list_deliveries(world, SYSTEM, status=DeliveryStatus.DELIVERED)[1]
    assert delivered.delivery_id == dead[0].delivery_id
    assert len(receiver.received) == 5
    assert receiver.received[-1].headers["X-Accord-Delivery"] == dead[0].delivery_id


@pytest.mark.parametrize(("answer", "status", "requests"), [
    (404, DeliveryStatus.DEAD, 1), (410, DeliveryStatus.DEAD, 1),
    (408, DeliveryStatus.PENDING, 1), (429, DeliveryStatus.PENDING, 1),
])
def test_a_client_error_is_final_except_408_and_429(
        world: Engine, tmp_path: Path, notifier: Notifier, answer: int, status: DeliveryStatus,
        requests: int) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver(answer) as receiver:
        subscribe(world, receiver.url)
        run_once(world, T0 + timedelta(hours=3, minutes=20), notifier=notifier)
    [delivery] = list_deliveries(world, SYSTEM)[1]
    assert delivery.status is status
    assert len(receiver.received) == requests


def test_period_close_evaluates_the_month_once_and_sends_the_credit_statement(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0, resolved_at=T0 + timedelta(hours=6)),
        Ticket("A-2", "alpha", T0, resolved_at=T0 + timedelta(hours=1))])
    closed = datetime(2026, 4, 1, 0, 5, tzinfo=UTC)
    with http_receiver() as receiver:
        subscribe(world, receiver.url, events=["sla.period_closed"], agreements=["alpha-support"])
        first = run_once(world, closed, notifier=notifier)
        again = run_once(world, closed + timedelta(minutes=1), notifier=notifier)
    with world.connect() as connection:
        evaluations = connection.scalar(select(func.count()).select_from(EvaluationRow).where(
            EvaluationRow.period == "2026-03"))
    assert (first.evaluated, again.evaluated) == ("2026-03", None)
    assert evaluations == 1
    [body] = bodies(receiver)
    assert (body["event"], body["period"], body["agreement"], body["customer"]) == (
        "sla.period_closed", "2026-03", "alpha-support", "alpha")
    statement = body["statement"]
    assert isinstance(statement, dict)
    assert (statement["amount"], statement["currency"]) == ("100.00", "EUR")
    assert statement["text"].startswith("You are entitled to EUR 100.00")


def reports_printed(engine: Engine, loop: Worker) -> list[tuple[str, str]]:
    """The (customer, period) of the reports kept, once the loop's printing is done."""
    for thread in loop.printing:
        thread.join(120)
    with engine.connect() as connection:
        kept = connection.execute(select(ReportRow.customer, ReportRow.period)
                                  .order_by(ReportRow.customer)).all()
    return [(customer, period) for customer, period in kept]


def test_the_loop_prints_and_keeps_the_reports_of_the_month_it_closes(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0, resolved_at=T0 + timedelta(hours=6))])
    closed = datetime(2026, 4, 1, 0, 5, tzinfo=UTC)
    time = FakeTime(closed, closed + timedelta(seconds=30))
    with http_receiver() as receiver:
        subscribe(world, receiver.url, events=["sla.period_closed"])
        loop = Worker(world, interval=60, poll=5, notifier=notifier, clock=time.clock,
                      wait=time.wait, publish_reports=True)
        loop.run()
    assert reports_printed(world, loop) == [("alpha", "2026-03"), ("beta", "2026-03")]
    assert {b["period"] for b in bodies(receiver)} == {"2026-03"}


def test_the_loop_prints_the_reports_of_evaluations_stored_meanwhile_not_before(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    from accord.service.evaluations import evaluate_period

    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0, resolved_at=T0 + timedelta(hours=6))])
    start = datetime(2026, 3, 20, tzinfo=UTC)
    evaluate_period(world, period="2026-02", at=start, by="tests", now=start)  # before: kept
    time = FakeTime(start, start + timedelta(seconds=30))

    def wait(seconds: float) -> bool:
        if len(time.waits) == 1:  # between passes, `accord evaluate --db` stores March
            evaluate_period(world, period="2026-03", at=start, by="tests", now=start)
        return time.wait(seconds)

    loop = Worker(world, interval=10, poll=5, notifier=notifier, clock=time.clock, wait=wait,
                  publish_reports=True)
    loop.run()
    assert reports_printed(world, loop) == [("alpha", "2026-03"), ("beta", "2026-03")]


def test_a_worker_stopped_for_months_sends_every_month_it_missed_in_order(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0, resolved_at=T0 + timedelta(hours=6))])
    with http_receiver() as receiver:
        subscribe(world, receiver.url, events=["sla.period_closed"], agreements=["alpha-support"])
        # Running at the start of February: January's statement (the latest closed month).
        first = run_once(world, datetime(2026, 2, 1, 0, 5, tzinfo=UTC), notifier=notifier)
        # Stopped until May: February, March and April have closed meanwhile.
        back = run_once(world, datetime(2026, 5, 1, 0, 5, tzinfo=UTC), notifier=notifier)
        again = run_once(world, datetime(2026, 5, 1, 0, 6, tzinfo=UTC), notifier=notifier)
    assert (first.evaluated, back.evaluated, again.evaluated) == (
        "2026-01", "2026-02, 2026-03, 2026-04", None)
    assert (first.queued, back.queued, again.queued) == (1, 3, 0)
    seen = bodies(receiver)
    assert [b["period"] for b in seen] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    amounts = {b["period"]: b["statement"]["amount"] for b in seen}  # type: ignore[index]
    assert amounts == {"2026-01": "0.00", "2026-02": "0.00", "2026-03": "100.00",
                       "2026-04": "0.00"}


def test_a_new_subscription_is_sent_only_the_latest_closed_month(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    with http_receiver() as receiver:
        subscribe(world, receiver.url, events=["sla.period_closed"], agreements=["alpha-support"])
        run_once(world, datetime(2026, 5, 1, 0, 5, tzinfo=UTC), notifier=notifier)
    assert [b["period"] for b in bodies(receiver)] == ["2026-04"]


def test_a_customer_subscription_never_hears_of_another_customers_tickets_or_statements(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0), Ticket("B-1", "beta", T0),
        Ticket("B-2", "beta", T0, resolved_at=T0 + timedelta(hours=5))])
    ann = customer_user(world, "ann", "alpha")
    ada = admin_user(world)
    with http_receiver() as alpha, http_receiver() as beta, http_receiver() as narrowed:
        everything = [e.value for e in EventKind]
        subscribe(world, alpha.url, ann, events=everything)
        subscribe(world, beta.url, customer_user(world, "bob", "beta"), events=everything)
        subscribe(world, narrowed.url, ada, party="beta", events=everything)
        run_once(world, T0 + timedelta(hours=3), notifier=notifier)
        run_once(world, T0 + timedelta(hours=5), notifier=notifier)
        run_once(world, datetime(2026, 4, 1, 1, tzinfo=UTC), notifier=notifier)
    # B-2 was resolved late before the first pass: its breach comes from the stopped ticket.
    for receiver, customer, tickets in ((alpha, "alpha", {"A-1"}), (beta, "beta", {"B-1", "B-2"}),
                                        (narrowed, "beta", {"B-1", "B-2"})):
        seen = bodies(receiver)
        assert {(b["customer"], b["agreement"]) for b in seen} == {
            (customer, f"{customer}-support")}
        assert {b["ticket"] for b in seen} == tickets | {None}
        assert {b["event"] for b in seen} == {"sla.warning", "sla.breach", "sla.period_closed"}
    assert [(b["event"], b["ticket"], b["period"]) for b in bodies(beta)] == [
        (b["event"], b["ticket"], b["period"]) for b in bodies(narrowed)]


def test_a_customer_cannot_subscribe_to_another_party(world: Engine, tmp_path: Path) -> None:
    from accord.errors import UsageError

    ann = customer_user(world, "ann", "alpha")
    with pytest.raises(UsageError, match="can only be for party 'alpha'"):
        subscribe(world, "https://example.com/hook", ann, party="beta")


def test_an_email_subscription_gets_a_readable_message_over_smtp(
        world: Engine, tmp_path: Path, notifier: Notifier, mailbox: Mailbox) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    create_subscription(world, SYSTEM, channel=Channel.EMAIL, target="ops@example.com", now=T0,
                        events=["sla.breach"])
    report = run_once(world, T0 + timedelta(hours=4, minutes=30), notifier=notifier)
    assert report.delivered == 1
    [message] = mailbox.messages
    assert mailbox.recipients == [["ops@example.com"]]
    assert message["Subject"] == ("SLA breach: ticket A-1 missed its resolution target "
                                  "(alpha-support)")
    assert message["X-Accord-Event"] == "sla.breach"
    text = message.get_content()
    assert "Ticket A-1 of alpha has missed its resolution target under agreement " \
           "alpha-support: 4h 30m used of 4h 00m." in text
    assert "  Due        2026-03-02T13:00:00Z" in text


def test_the_loop_runs_a_pass_soon_after_an_ingestion_not_only_every_interval(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    start = T0 + timedelta(hours=3, minutes=30)
    time = FakeTime(start, start + timedelta(seconds=20))
    waited = time.wait

    def wait(seconds: float) -> bool:
        if not time.waits:  # new data arrives during the first wait
            load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
            note_ingestion(world, time.now)
        return waited(seconds)

    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        Worker(world, interval=60, poll=5, notifier=notifier, clock=time.clock,
               wait=wait).run()
    assert events(receiver) == [("sla.warning", "A-1", 0.75)]
    with world.connect() as connection:
        queued = connection.scalar(select(NotificationRow.created_at))
    assert queued == start + timedelta(seconds=5)


def test_sigterm_stops_the_loop_after_the_work_in_hand(world: Engine, notifier: Notifier
                                                      ) -> None:
    loop = Worker(world, interval=60, poll=0.05, notifier=notifier)
    thread = threading.Thread(target=loop.run)
    with stop_on_signals(loop.stop):
        thread.start()
        os.kill(os.getpid(), signal.SIGTERM)
        thread.join(10)
    assert loop.stop.is_set()
    assert not thread.is_alive()


def test_a_subscription_an_admin_makes_for_a_customer_sees_what_the_customer_sees(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0),
                                            Ticket("B-1", "beta", T0)])
    customer_user(world, "ann", "alpha")
    with http_receiver() as receiver:
        made = create_subscription(world, admin_user(world), channel=Channel.WEBHOOK,
                                   target=receiver.url, now=T0, owner="ann",
                                   events=["sla.warning"])
        run_once(world, T0 + timedelta(hours=3, minutes=30), notifier=notifier)
    assert (made.subscription.owner, made.subscription.party) == ("ann", "alpha")
    assert events(receiver) == [("sla.warning", "A-1", 0.75)]


def test_a_disabled_users_subscription_hears_nothing_until_enabled_again(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    from accord.service.accounts import set_disabled

    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0)])
    ann = customer_user(world, "ann", "alpha")
    at = T0 + timedelta(hours=3, minutes=30)
    with http_receiver() as receiver:
        subscribe(world, receiver.url, ann)
        set_disabled(world, username="ann", disabled=True)
        while_disabled = run_once(world, at, notifier=notifier)
        set_disabled(world, username="ann", disabled=False)
        run_once(world, at, notifier=notifier)
    assert while_disabled.queued == 0
    assert events(receiver) == [("sla.warning", "A-1", 0.75)]
