"""Writing the demo's data files: twelve months of tickets, status histories, incidents,
deliveries and measurements ending at ``now`` (DESIGN.md §4 columns, UTC instants with ``Z``).

Deterministic: one ``random.Random(seed)``, whole seconds, rows in a fixed order — the same
``seed`` and ``now`` give the same bytes.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime
from pathlib import Path

from accord.demo.operations import csat, deliveries, incidents, inspections
from accord.demo.story import Story
from accord.demo.tickets import Ticket, northwind_tickets, skyhost_tickets, sparkle_tickets, stamp

__all__ = ["SEED", "TABLES", "generate"]

SEED = 20260430
TABLES = {
    "tickets": ["id", "customer", "service", "priority", "created_at", "first_response_at",
                "resolved_at", "type", "supplier"],
    "ticket_status": ["ticket_id", "at", "status"],
    "incidents": ["id", "service", "start", "end", "kind", "customer", "supplier"],
    "deliveries": ["id", "customer", "item", "delivered_at"],
    "measurements": ["customer", "measure", "at", "value", "good", "total"],
}
"""The files written, in the order they are loaded, with their columns."""


def _snapshot(tickets: list[Ticket], now: datetime) -> list[Ticket]:
    """What is known at ``now``: later tickets do not exist yet, later responses, status
    changes and resolutions have not happened. A ticket resolved before anyone answered it
    (a spill simply cleaned up) has no first response: resolving it answers it."""
    kept = []
    for t in tickets:
        if t.created_at > now:
            continue
        if (t.first_response_at is not None and t.resolved_at is not None
                and t.resolved_at < t.first_response_at):
            t.first_response_at = None
        if t.first_response_at is not None and t.first_response_at > now:
            t.first_response_at = None
        if t.resolved_at is not None and t.resolved_at > now:
            t.resolved_at = None
        t.history = [(at, status) for at, status in t.history if at <= now]
        if t.history and t.history[-1][1] not in ("resolved", "closed"):
            t.resolved_at = None
        kept.append(t)
    return kept


def _write(directory: Path, name: str, rows: list[list[str]]) -> None:
    with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLES[name])
        writer.writerows(rows)


def generate(directory: Path, *, now: datetime, seed: int = SEED) -> dict[str, int]:
    """Write the five data files into ``directory`` (made if missing) for the twelve months
    ending at ``now``; the rows written per file."""
    story = Story(now)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    desk, vendor = northwind_tickets(rng, story)
    tickets = _snapshot([*desk, *vendor, *sparkle_tickets(rng, story),
                         *skyhost_tickets(rng, story)], story.now)
    tickets.sort(key=lambda t: (t.created_at, t.id))
    desk = [t for t in tickets if t.id.startswith("NW-")]
    measurements = csat(rng, story, desk) + inspections(rng, story)
    measurements.sort(key=lambda r: (r[2], r[0], r[1]))
    rows = {
        "tickets": [t.row() for t in tickets],
        "ticket_status": [[t.id, stamp(at), status]
                          for t in sorted(tickets, key=lambda t: t.id)
                          for at, status in t.history],
        "incidents": incidents(rng, story),
        "deliveries": deliveries(rng, story),
        "measurements": measurements,
    }
    for name, table in rows.items():
        _write(directory, name, table)
    return {name: len(table) for name, table in rows.items()}
