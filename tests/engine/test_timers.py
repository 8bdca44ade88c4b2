from datetime import UTC, datetime

import numpy as np
import polars as pl

from accord.engine.clock import US, BusinessClock, _b, _locate, _reach, _reach_after, to_us
from accord.engine.context import Context, Scope
from accord.engine.tables import INSTANT, SCHEMAS, TableName, Tables
from accord.engine.tickets import evaluate_tickets, tally
from accord.engine.timers import prepare_tickets
from accord.model.objectives import TicketObjective
from tests.engine.build import agreement
from tests.engine.test_clock import calendar

AGREEMENT = """
accord: 1
id: timers
type: sla
provider: p
customer: "*"
services: [desk, billing]
effective: {from: 2026-01-01}
timezone: Europe/Berlin
calendars:
  office:
    hours: {mon-fri: "09:00-17:00"}
    holidays: {country: DE, dates: [2026-03-10]}
objectives:
  response:
    metric: response_time
    calendar: office
    targets: {P1: 1h, P2: 8h}
  resolution:
    metric: resolution_time
    calendar: office
    pause: [waiting]
    where: {type: [incident]}
    targets: {P1: 4h, P2: 30h}
"""
MONTH_START = to_us(datetime(2026, 2, 28, 23, tzinfo=UTC))
MONTH_END = to_us(datetime(2026, 3, 31, 22, tzinfo=UTC))


def _instants(values: np.ndarray, missing: np.ndarray) -> pl.Series:
    return pl.Series(values * US, dtype=pl.Int64).scatter(np.flatnonzero(missing), None) \
        .cast(INSTANT)


def _random_tables(n: int, seed: int) -> Tables:
    rng = np.random.default_rng(seed)
    created = rng.integers(MONTH_START // US - 5 * 86_400, MONTH_END // US, n)
    answered = created + rng.integers(-3600, 40 * 3600, n)
    resolved = answered + rng.integers(0, 90 * 3600, n)
    owners = rng.integers(0, n + 3, 3 * n)  # some rows name tickets that do not exist
    at = created[np.minimum(owners, n - 1)] + rng.integers(-7200, 60 * 3600, 3 * n)
    ids = [f"T{i}" for i in range(n)]
    tickets = pl.DataFrame({
        "id": ids,
        "customer": rng.choice(np.array(["a", "b", "c", ""], dtype=object), n).tolist(),
        "service": rng.choice(["desk", "billing", "other"], n).tolist(),
        "priority": rng.choice(np.array(["P1", "P2", "P3", ""], dtype=object), n).tolist(),
        "created_at": _instants(created, np.zeros(n, dtype=bool)),
        "first_response_at": _instants(answered, rng.random(n) < 0.3),
        "resolved_at": _instants(resolved, rng.random(n) < 0.3),
        "type": rng.choice(["incident", "request"], n).tolist(),
        "supplier": [None] * n,
    }).with_columns(pl.col(c).replace("", None) for c in ("customer", "priority"))
    status = pl.DataFrame({
        "ticket_id": [f"T{o}" for o in owners.tolist()],
        "at": _instants(at, np.zeros(len(at), dtype=bool)),
        "status": rng.choice(["open", "waiting", "resolved", "closed", "work"], len(at)).tolist(),
    })
    return Tables(tickets=tickets.select(list(SCHEMAS[TableName.TICKETS])),
                  ticket_status=status.select(list(SCHEMAS[TableName.TICKET_STATUS])))


def test_the_listed_tickets_are_those_in_scope_counted_or_pending() -> None:
    """evaluate_tickets (the tickets listed for the period) against every ticket in scope,
    which live timers use: the scope taken from the frame, and the period attribution
    recomputed from the timers, on random tickets with histories out of order, unknown
    tickets and empty cells."""
    tables = _random_tables(3000, 11)
    at = to_us(datetime(2026, 3, 20, 12, tzinfo=UTC))
    source = agreement(AGREEMENT)
    for key, objective in source.objectives.items():
        assert isinstance(objective, TicketObjective)
        ctx = Context(tables, at, MONTH_START - 10 * 86_400 * US, MONTH_END)
        scope = Scope(source, ("a", "b", "c"), MONTH_START, MONTH_END, "2026-03")
        outcome = evaluate_tickets(key, objective, scope, ctx)
        assert outcome.items is not None
        items = outcome.items.collect()

        tickets = ctx.tickets
        result = tally(key, objective, scope, ctx, everything=True)
        frame = tickets.frame.with_row_index("row")
        wanted = (pl.col("customer").is_in(["a", "b", "c"])
                  & pl.col("service").is_in(["desk", "billing"])
                  & pl.col("priority").is_in([p for p in ("P1", "P2", "P3")
                                              if objective.target_for(p)]))
        if objective.where:
            wanted &= pl.col("type").is_in(objective.where["type"])
        assert result.rows.tolist() == frame.filter(wanted).get_column("row").to_list()
        targets = result.target
        assert (targets // US).tolist() == [
            objective.target_for(p) for p in tickets.frame.get_column("priority").gather(
                pl.Series(result.rows)).to_list()]
        open_ = result.state != 0
        over = result.elapsed > targets
        when = np.where(open_, result.due, result.stop)
        counted = (~open_ | over) & (when >= MONTH_START) & (when < MONTH_END)
        pending = open_ & ~over & (tickets.created[result.rows] < MONTH_END)
        listed = counted | pending
        assert 0 < listed.sum() < len(listed)
        assert items.get_column("ticket").to_list() == \
            tickets.frame.get_column("id").gather(result.rows[listed]).to_list()
        assert items.get_column("elapsed_s").to_list() == (result.elapsed[listed] // US).tolist()
        assert items.get_column("met").to_list() == \
            ((result.elapsed <= targets) | pending)[listed].tolist()
        assert sum(t.counted for t in outcome.tallies.values()) == int(counted.sum())
        assert sum(t.pending for t in outcome.tallies.values()) == int(pending.sum())


def test_histories_are_sorted_by_ticket_and_instant_keeping_ties_in_order() -> None:
    tables = _random_tables(500, 3)
    tickets = prepare_tickets(tables.tickets, tables.ticket_status, 2**62)
    status = tables.ticket_status.with_row_index("read").join(
        tables.tickets.with_row_index("row").select("id", "row"),
        left_on="ticket_id", right_on="id").sort("row", "at", "read")
    assert np.diff(tickets.ptr).tolist() == \
        np.bincount(status.get_column("row").to_numpy(), minlength=500).tolist()
    assert tickets.history_at.tolist() == status.get_column("at").dt.epoch("us").to_list()
    assert [tickets.statuses[c] for c in tickets.history_status.tolist()] == \
        status.get_column("status").to_list()


def test_reaching_forward_from_a_known_interval_agrees_with_the_binary_search() -> None:
    clock = BusinessClock.build(calendar(country="DE"), to_us(datetime(2026, 1, 1, tzinfo=UTC)),
                                to_us(datetime(2026, 3, 1, tzinfo=UTC)))
    args = clock.kernel_columns()
    rng = np.random.default_rng(5)
    for t in rng.integers(args[0] - 3600 * US, clock.end + 3600 * US, 400).tolist():
        b, k = _locate(t, *args)
        assert b == _b(t, *args)
        for x in [b, b + 1, b + 3600 * US, b + 40 * 3600 * US, b + 10**15, 0, -5]:
            assert _reach_after(x, k, args[0], clock.starts, clock.cum) == \
                _reach(x, args[0], clock.starts, clock.cum)
