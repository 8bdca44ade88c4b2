"""Breaches of tickets that stopped late without an open timer ever showing it: resolved late
between two passes, or loaded already resolved late; each told once, with the open timer's key,
only since the subscription was made, in the current and previous period, and only to those who
may see the ticket."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from accord.engine import Period, evaluate
from accord.service.notify import Channel, Notifier, Worker, create_subscription, run_once
from accord.service.notify import stopped as stopped_module
from accord.service.tenancy import Principal, Role, Scope
from accord.store.agreements import versions_in_effect
from accord.store.tables import load_tables
from accord.store.tickets import tickets_stopped_since
from tests.service.conftest import NOW as SERVICE_NOW
from tests.service.conftest import Workspace
from tests.service.notify.receivers import HttpReceiver, http_receiver
from tests.service.notify.world import (
    T0,
    Ticket,
    admin_user,
    apply,
    customer_user,
    load_tickets,
    note_ingestion,
)
from tests.service.random_loads import random_load

SECRET = "whsec-test"
SYSTEM = Principal.system()
H = timedelta(hours=1)


def subscribe(engine: Engine, url: str, principal: Principal = SYSTEM, *,
              made: datetime = T0, events: tuple[str, ...] = ("sla.breach",),
              **options: object) -> int:
    return create_subscription(
        engine, principal, channel=Channel.WEBHOOK, target=url, secret=SECRET, now=made,
        events=list(events), **options).subscription.id  # type: ignore[arg-type]


def bodies(receiver: HttpReceiver) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in receiver.received]


def breaches(receiver: HttpReceiver) -> list[tuple[object, ...]]:
    return sorted((b["ticket"], b["state"], b["period"]) for b in bodies(receiver)
                  if b["event"] == "sla.breach")


def engine_item(engine: Engine, period: str, at: datetime, ticket: str) -> dict[str, object]:
    """The engine's evidence item of ``ticket`` in an evaluation of the stored data."""
    chosen = Period.parse(period)
    agreements = [a for _, a in versions_in_effect(engine, chosen)]
    evaluation = evaluate(agreements, load_tables(engine), chosen, at)
    [item] = [i for i in evaluation.item_documents() if i["ticket"] == ticket]
    return item


def test_a_ticket_created_and_resolved_late_between_two_passes_is_told_once_as_the_engine_has_it(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        before = run_once(world, T0 - H, notifier=notifier)
        # Opened and resolved after 6 h (the target is 4 h), all before the next pass.
        load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0, T0 + 6 * H)])
        after = run_once(world, T0 + 7 * H, notifier=notifier)
        again = run_once(world, T0 + 8 * H, notifier=notifier)
    assert (before.queued, after.queued, again.queued) == (0, 1, 0)
    [body] = bodies(receiver)
    item = engine_item(world, "2026-03", T0 + 7 * H, "A-1")
    assert item["met"] is False
    assert {k: body[k] for k in item if k != "met"} == {k: v for k, v in item.items()
                                                       if k != "met"}
    assert body == {
        "id": receiver.received[0].headers["X-Accord-Delivery"], "event": "sla.breach",
        "agreement": "alpha-support", "customer": "alpha", "objective": "resolution",
        "metric": "resolution_time", "ticket": "A-1", "state": "stopped", "elapsed_s": 21600.0,
        "target_s": 14400, "time_left_s": -7200.0, "used": 1.5,
        "due_at": "2026-03-02T13:00:00Z", "period": "2026-03", "at": "2026-03-02T16:00:00Z",
        "threshold": None}
    assert receiver.received[0].headers["X-Accord-Event"] == "sla.breach"


def test_a_ticket_told_as_breached_while_open_is_not_told_again_once_resolved(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        load_tickets(world, tmp_path / "open", [Ticket("A-1", "alpha", T0)])
        run_once(world, T0 + 4.5 * H, notifier=notifier)
        load_tickets(world, tmp_path / "resolved", [Ticket("A-1", "alpha", T0, T0 + 5 * H)])
        resolved = run_once(world, T0 + 6 * H, notifier=notifier)
    assert resolved.queued == 0
    assert breaches(receiver) == [("A-1", "running", None)]


def test_tickets_resolved_in_time_are_not_breaches(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        load_tickets(world, tmp_path / "data", [
            Ticket("A-1", "alpha", T0, T0 + 3 * H), Ticket("A-2", "alpha", T0, T0 + 4 * H)])
        report = run_once(world, T0 + 7 * H, notifier=notifier)
    assert report.queued == 0
    assert receiver.received == []


def test_a_batch_of_tickets_already_resolved_late_is_told_once_each(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    batch = [Ticket(f"A-{n}", "alpha", T0 + n * H, T0 + n * H + 5 * H) for n in range(1, 4)]
    batch += [Ticket("A-9", "alpha", T0, T0 + H), Ticket("B-1", "beta", T0 + H, T0 + 9 * H)]
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        run_once(world, T0 + 20 * 24 * H, notifier=notifier)
        # An export of the days before, loaded three weeks later.
        load_tickets(world, tmp_path / "data", batch)
        loaded = run_once(world, T0 + 21 * 24 * H, notifier=notifier)
        again = run_once(world, T0 + 21 * 24 * H + H, notifier=notifier)
    assert (loaded.queued, again.queued) == (4, 0)
    assert breaches(receiver) == [("A-1", "stopped", "2026-03"), ("A-2", "stopped", "2026-03"),
                                  ("A-3", "stopped", "2026-03"), ("B-1", "stopped", "2026-03")]


def test_tickets_that_stopped_before_the_subscription_was_made_are_history(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    made = T0 + 24 * H
    with http_receiver() as older, http_receiver() as newer:
        load_tickets(world, tmp_path / "data", [
            Ticket("A-1", "alpha", T0, T0 + 6 * H),  # breached and stopped before
            Ticket("A-2", "alpha", T0 + 20 * H, made + 2 * H),  # stopped late after
            Ticket("A-3", "alpha", T0 + 18 * H, made - H / 2)])  # stopped late, just before
        # The same owner's: the tickets are read for the older one, the engine tells them apart.
        subscribe(world, older.url, made=T0)
        subscribe(world, newer.url, made=made)
        run_once(world, made + 3 * H, notifier=notifier)
    assert breaches(newer) == [("A-2", "stopped", "2026-03")]
    assert breaches(older) == [("A-1", "stopped", "2026-03"), ("A-2", "stopped", "2026-03"),
                               ("A-3", "stopped", "2026-03")]


def test_a_ticket_stopped_exactly_when_the_subscription_was_made_is_told(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    made = T0 + 6 * H
    with http_receiver() as receiver:
        load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0, made)])
        subscribe(world, receiver.url, made=made)
        run_once(world, made + H, notifier=notifier)
    assert breaches(receiver) == [("A-1", "stopped", "2026-03")]


def test_only_the_current_and_previous_periods_are_looked_at(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    march, april, may = (datetime(2026, m, 4, 9, tzinfo=UTC) for m in (3, 4, 5))
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        load_tickets(world, tmp_path / "data", [
            Ticket("A-3", "alpha", march, march + 5 * H), Ticket("A-4", "alpha", april,
                                                                   april + 5 * H),
            Ticket("A-5", "alpha", may, may + 5 * H)])
        run_once(world, may + 6 * H, notifier=notifier)
    assert breaches(receiver) == [("A-4", "stopped", "2026-04"), ("A-5", "stopped", "2026-05")]


def test_periods_are_the_agreements_own_in_their_time_zone(
        engine: Engine, tmp_path: Path, notifier: Notifier) -> None:
    # Auckland is 13 h ahead in March: 2026-03-31T12:00Z is already April there.
    apply(engine, tmp_path / "agreements", "alpha", zone="Pacific/Auckland")
    late = datetime(2026, 3, 31, 12, tzinfo=UTC)
    with http_receiver() as receiver:
        subscribe(engine, receiver.url)
        load_tickets(engine, tmp_path / "data", [
            Ticket("A-1", "alpha", late - 9 * H, late - 3 * H),  # stopped 22:00 local, March 31
            Ticket("A-2", "alpha", late, late + 5 * H),  # stopped in local April
            # February: two periods back there (in UTC it would be the previous one).
            Ticket("A-0", "alpha", datetime(2026, 2, 20, tzinfo=UTC),
                   datetime(2026, 2, 20, 5, tzinfo=UTC))])
        run_once(engine, late + 6 * H, notifier=notifier)
    assert breaches(receiver) == [("A-1", "stopped", "2026-03"), ("A-2", "stopped", "2026-04")]


def test_a_customer_subscription_never_hears_of_another_customers_stopped_breaches(
        world: Engine, tmp_path: Path, notifier: Notifier) -> None:
    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0, T0 + 6 * H), Ticket("B-1", "beta", T0, T0 + 7 * H),
        Ticket("B-2", "beta", T0, T0 + 8 * H)])
    with http_receiver() as alpha, http_receiver() as beta, http_receiver() as narrowed, \
            http_receiver() as staff:
        subscribe(world, alpha.url, customer_user(world, "ann", "alpha"))
        subscribe(world, beta.url, customer_user(world, "bob", "beta"))
        ada = admin_user(world)
        subscribe(world, narrowed.url, ada, party="alpha")
        subscribe(world, staff.url, ada)
        run_once(world, T0 + 9 * H, notifier=notifier)
    assert breaches(alpha) == breaches(narrowed) == [("A-1", "stopped", "2026-03")]
    assert breaches(beta) == [("B-1", "stopped", "2026-03"), ("B-2", "stopped", "2026-03")]
    assert breaches(staff) == sorted(breaches(alpha) + breaches(beta))
    for receiver, customer in ((alpha, "alpha"), (narrowed, "alpha"), (beta, "beta")):
        assert {(b["customer"], b["agreement"]) for b in bodies(receiver)} == {
            (customer, f"{customer}-support")}
    assert not any(b"beta" in r.body or b"B-" in r.body for r in alpha.received)


def test_a_customers_read_holds_only_its_own_tickets(world: Engine, tmp_path: Path) -> None:
    load_tickets(world, tmp_path / "data", [
        Ticket("A-1", "alpha", T0, T0 + 6 * H), Ticket("B-1", "beta", T0, T0 + 7 * H),
        Ticket("B-2", "beta", T0 - 48 * H, T0 - 40 * H)])
    for customer, expected in (("alpha", ["A-1"]), ("beta", ["B-1"]), (None, ["A-1", "B-1"])):
        tables = tickets_stopped_since(world, T0, T0 + 9 * H, customer)
        assert tables.tickets.get_column("id").to_list() == expected


def test_the_loop_looks_for_stopped_breaches_after_new_data_and_a_restart_sends_none_again(
        world: Engine, tmp_path: Path, notifier: Notifier, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    looks: list[datetime] = []
    read = stopped_module.StoppedBreaches._evaluate

    def counted(self: stopped_module.StoppedBreaches) -> object:
        looks.append(self.at)
        return read(self)

    monkeypatch.setattr(stopped_module.StoppedBreaches, "_evaluate", counted)
    start = T0 + 7 * H
    note_ingestion(world, T0)

    class Time:
        now = start

        def clock(self) -> datetime:
            return self.now

        def wait(self, seconds: float) -> bool:
            if self.now == start + timedelta(seconds=70):  # new data, mid-loop
                load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0, T0 + 6 * H)])
                note_ingestion(world, self.now)
            if self.now == start + timedelta(seconds=130):  # and more
                load_tickets(world, tmp_path / "more", [Ticket("A-2", "alpha", T0, T0 + 5 * H)])
                note_ingestion(world, self.now)
            self.now += timedelta(seconds=seconds)
            return self.now > start + timedelta(seconds=200)

    seen = []
    with http_receiver() as receiver:
        subscribe(world, receiver.url)
        for _ in range(2):  # the worker, then the worker restarted
            time = Time()
            Worker(world, interval=60, poll=10, notifier=notifier, clock=time.clock,
                   wait=time.wait).run()
            seen.append(breaches(receiver))
    assert seen[0] == seen[1]  # the restarted worker sent nothing again
    # Each run: the first pass, and those after a load; not the passes every minute.
    offsets = [(at - start).total_seconds() for at in looks]
    assert offsets == [0, 80, 140, 0, 80, 140]
    assert breaches(receiver) == [("A-1", "stopped", "2026-03"), ("A-2", "stopped", "2026-03")]


def test_a_look_reuses_what_the_last_found_only_while_nothing_happened_in_between(
        world: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import accord.engine as engine_module

    calls: list[datetime] = []
    evaluate_once = engine_module.evaluate

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[3])  # type: ignore[arg-type]
        return evaluate_once(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "evaluate", counted)
    # Resolved late at T0 + 6 h: not yet stopped for a look at T0 + 5 h.
    load_tickets(world, tmp_path / "data", [Ticket("A-1", "alpha", T0, T0 + 6 * H)])
    memo = stopped_module.BreachMemo()

    def look(at: datetime) -> list[str]:
        found = stopped_module.StoppedBreaches(world, at, SYSTEM, T0, memo).since(T0)
        return found.get_column("ticket").to_list()

    assert look(T0 + 5 * H) == []
    first = len(calls)
    assert look(T0 + 5 * H + timedelta(minutes=1)) == []
    assert len(calls) == first  # the same tickets, nothing between the two looks
    assert look(T0 + 7 * H) == ["A-1"]  # the resolution happened in between
    assert len(calls) > first
    again = len(calls)
    assert look(T0 + 8 * H) == ["A-1"]
    assert len(calls) == again
    load_tickets(world, tmp_path / "more", [Ticket("A-2", "alpha", T0, T0 + 7 * H)])
    assert look(T0 + 8 * H) == ["A-1", "A-2"]  # new data


@pytest.mark.parametrize("seed", [1, 2])
def test_looks_brought_up_to_date_after_random_loads_find_what_a_look_afresh_finds(
        fresh_workspace: Workspace, tmp_path: Path, seed: int) -> None:
    engine = fresh_workspace.engine
    rng = random.Random(seed)
    ann = Principal(2, "ann", Role.CUSTOMER, "acme", frozenset({Scope.READ}))
    made = [datetime(2026, 2, 10, tzinfo=UTC), SERVICE_NOW - timedelta(days=2)]
    memo = stopped_module.BreachMemo()
    with engine.connect() as connection:
        known = list(connection.execute(text(
            "SELECT id FROM tickets ORDER BY id")).scalars())[::40]

    def look(at: datetime, principal: Principal, kept: stopped_module.BreachMemo
             ) -> tuple[list[list[dict[str, object]]], bool]:
        breaches = stopped_module.StoppedBreaches(engine, at, principal, made[0], kept)
        found = [breaches.since(instant).to_dicts() for instant in made]
        return found, breaches._looked is not None

    at = SERVICE_NOW
    for principal in (SYSTEM, ann):
        look(at, principal, memo)
    told = 0
    for number in range(8):
        random_load(rng, engine, tmp_path, number, known, at)
        at += timedelta(minutes=rng.choice([0, 1, 7, 90]), seconds=rng.randint(0, 59))
        for principal in (SYSTEM, ann):
            found, brought_up = look(at, principal, memo)
            assert brought_up  # not looked at afresh
            assert found == look(at, principal, stopped_module.BreachMemo())[0]
            told += sum(map(len, found))
    assert told  # some stopped breaches were found
