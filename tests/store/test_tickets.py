"""Reading only the tickets that may be open keeps every open timer: live timers from
``open_tickets`` are those from all the stored tickets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine

from accord.engine.live import live_timers
from accord.model import load_agreements
from accord.store.ingest import ingest_file, table_files
from accord.store.tables import load_tables
from accord.store.tickets import find_ticket, open_tickets

EXAMPLES = Path(__file__).parents[2] / "examples"

TICKETS = """id,customer,service,priority,created_at,first_response_at,resolved_at,type,supplier
T-1,acme,billing-system,P2,2026-03-16T09:00:00Z,,2026-03-17T14:00:00Z,incident,
T-2,acme,billing-system,P2,2026-03-16T09:00:00Z,,,incident,
T-3,acme,billing-system,P2,2026-03-16T09:00:00Z,,2026-03-16T10:00:00Z,incident,
T-4,acme,billing-system,P2,2026-03-17T15:00:00Z,,,incident,
"""
STATUS = """ticket_id,at,status
T-2,2026-03-16T10:00:00Z,resolved
T-2,2026-03-16T10:00:00Z,open
T-3,2026-03-18T10:00:00Z,open
"""


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    for file, table in table_files([EXAMPLES / "data"]):
        ingest_file(engine, file, table)
    (tmp_path / "tickets-extra.csv").write_text(TICKETS)
    (tmp_path / "ticket_status-extra.csv").write_text(STATUS)
    for file, table in table_files([tmp_path / "tickets-extra.csv",
                                    tmp_path / "ticket_status-extra.csv"]):
        ingest_file(engine, file, table)
    return engine


@pytest.mark.parametrize("at", ["2026-01-05T08:00:00Z", "2026-03-17T14:00:00Z",
                                "2026-03-17T13:59:59Z", "2026-04-10T11:30:00Z",
                                "2026-06-01T00:00:00Z"])
def test_open_tickets_keep_every_live_timer(loaded: Engine, at: str) -> None:
    when = datetime.fromisoformat(at).astimezone(UTC)
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    every = live_timers(agreements, load_tables(loaded), when)
    some = open_tickets(loaded, when)
    assert live_timers(agreements, some, when).equals(every)
    assert some.tickets.height < load_tables(loaded).tickets.height


def test_edge_tickets_are_kept_or_left_as_the_timers_say(loaded: Engine) -> None:
    at = datetime(2026, 3, 17, 14, tzinfo=UTC)
    ids = set(open_tickets(loaded, at).tickets.get_column("id"))
    assert "T-1" not in ids  # resolved exactly at `at`
    assert "T-2" in ids  # resolved and reopened at one instant: the last row read wins
    assert "T-3" not in ids  # resolved; its reopening comes after `at`
    assert "T-4" not in ids  # created after `at`


def test_a_ticket_is_found_with_its_history(loaded: Engine) -> None:
    ticket = find_ticket(loaded, "T-2")
    assert ticket is not None
    assert ticket.customer == "acme"
    assert [(c.at.hour, c.status) for c in ticket.history] == [(10, "resolved"), (10, "open")]
    assert find_ticket(loaded, "nope") is None


@pytest.mark.parametrize("at", ["2026-03-17T14:00:00Z", "2026-03-17T13:59:59Z",
                                "2026-04-10T11:30:00Z"])
@pytest.mark.parametrize("customer", ["acme", "globex"])
def test_one_customers_open_tickets_keep_exactly_its_live_timers(loaded: Engine, at: str,
                                                                 customer: str) -> None:
    when = datetime.fromisoformat(at).astimezone(UTC)
    agreements = [a for _, a in load_agreements([EXAMPLES / "agreements"])]
    every = live_timers(agreements, load_tables(loaded), when)
    mine = open_tickets(loaded, when, customer)
    assert set(mine.tickets.get_column("customer")) <= {customer}
    assert live_timers(agreements, mine, when).equals(
        every.filter(pl.col("customer") == customer))
    everyone = open_tickets(loaded, when)
    assert mine.tickets.equals(everyone.tickets.filter(pl.col("customer") == customer))
    assert mine.ticket_status.equals(everyone.ticket_status.filter(
        pl.col("ticket_id").is_in(mine.tickets.get_column("id").implode())))


def test_a_customers_edge_tickets_are_kept_or_left_as_the_timers_say(loaded: Engine) -> None:
    at = datetime(2026, 3, 17, 14, tzinfo=UTC)
    ids = set(open_tickets(loaded, at, "acme").tickets.get_column("id"))
    assert "T-2" in ids  # resolved and reopened at one instant: the last row read wins
    assert not ids & {"T-1", "T-3", "T-4"}
    assert "T-2" not in set(open_tickets(loaded, at, "globex").tickets.get_column("id"))
