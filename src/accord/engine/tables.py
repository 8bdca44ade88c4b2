"""The data tables the engine reads (DESIGN.md §4), as Polars frames with fixed schemas.

Instants are ``Datetime("us", "UTC")``; every other cell is text, except the numbers of
measurements. Readers (``accord.io``) build :class:`Tables`; the engine never reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import polars as pl

__all__ = ["FIRST_INSTANT", "INSTANT", "INSTANTS_END", "INSTANT_RANGE_US", "REQUIRED", "SCHEMAS",
           "SUPPORTED_RANGE", "TableName", "Tables", "in_range", "out_of_range"]

INSTANT = pl.Datetime("us", "UTC")

FIRST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
"""The earliest instant Accord reads in data (inclusive): 1970-01-01T00:00:00Z."""
INSTANTS_END = datetime(2200, 1, 1, tzinfo=UTC)
"""The end of the instants Accord reads in data (exclusive): the last is 2199-12-31, UTC.

Business time is counted from a ticket's creation to the evaluated instant, day by day of its
calendar, and Python's dates end in the year 9999: an instant far outside what any contract
covers would cost minutes of work or fail, so readers refuse it (DESIGN.md §4)."""

SUPPORTED_RANGE = f"{FIRST_INSTANT:%Y-%m-%d} to {INSTANTS_END - timedelta(days=1):%Y-%m-%d} UTC"
"""The supported instants in words, for messages."""

_FIRST_US = (FIRST_INSTANT - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
_END_US = (INSTANTS_END - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
INSTANT_RANGE_US = (_FIRST_US, _END_US)
"""The supported instants as microseconds since the epoch: first (inclusive), end (exclusive)."""


def out_of_range(column: pl.Expr) -> pl.Expr:
    """True where an instant (typed, or microseconds since the epoch) is outside the supported
    range; false where it is in range or missing."""
    values = column.cast(pl.Int64)
    return (values.is_not_null() & ((values < _FIRST_US) | (values >= _END_US))).fill_null(False)


def in_range(frame: pl.DataFrame, table: TableName) -> pl.DataFrame:
    """``frame`` without the rows of ``table`` that hold an instant outside the supported range
    (stored before readers refused them: skipped, so that the other rows still count)."""
    names = [name for name, dtype in SCHEMAS[table].items()
             if dtype == INSTANT and name in frame.columns]
    if not names or frame.height == 0:
        return frame
    bad = frame.select(pl.any_horizontal(out_of_range(pl.col(name)) for name in names)) \
        .to_series()
    return frame.filter(~bad) if bad.any() else frame


class TableName(StrEnum):
    TICKETS = "tickets"
    TICKET_STATUS = "ticket_status"
    INCIDENTS = "incidents"
    DELIVERIES = "deliveries"
    MEASUREMENTS = "measurements"


SCHEMAS: dict[TableName, dict[str, pl.DataType]] = {
    TableName.TICKETS: {
        "id": pl.String(), "customer": pl.String(), "service": pl.String(),
        "priority": pl.String(), "created_at": INSTANT, "first_response_at": INSTANT,
        "resolved_at": INSTANT, "type": pl.String(), "supplier": pl.String(),
    },
    TableName.TICKET_STATUS: {"ticket_id": pl.String(), "at": INSTANT, "status": pl.String()},
    TableName.INCIDENTS: {
        "id": pl.String(), "service": pl.String(), "start": INSTANT, "end": INSTANT,
        "kind": pl.String(), "customer": pl.String(), "supplier": pl.String(),
    },
    TableName.DELIVERIES: {
        "id": pl.String(), "customer": pl.String(), "item": pl.String(), "delivered_at": INSTANT,
    },
    TableName.MEASUREMENTS: {
        "customer": pl.String(), "measure": pl.String(), "at": INSTANT,
        "value": pl.Float64(), "good": pl.Float64(), "total": pl.Float64(),
    },
}

REQUIRED: dict[TableName, tuple[str, ...]] = {
    TableName.TICKETS: ("id", "customer", "service", "priority", "created_at"),
    TableName.TICKET_STATUS: ("ticket_id", "at", "status"),
    TableName.INCIDENTS: ("id", "service", "start", "kind"),
    TableName.DELIVERIES: ("id", "customer", "item", "delivered_at"),
    TableName.MEASUREMENTS: ("customer", "measure", "at"),
}

INCIDENT_KINDS = ("outage", "degraded", "maintenance")


def empty(name: TableName) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


@dataclass(frozen=True)
class Tables:
    """What happened: one frame per table, each with at least the columns of its schema.

    ``tickets`` may carry extra text columns, which ``where`` filters can name.
    ``ticket_status`` rows keep the order they were read in (ties at one instant: last wins).
    """

    tickets: pl.DataFrame = field(default_factory=lambda: empty(TableName.TICKETS))
    ticket_status: pl.DataFrame = field(default_factory=lambda: empty(TableName.TICKET_STATUS))
    incidents: pl.DataFrame = field(default_factory=lambda: empty(TableName.INCIDENTS))
    deliveries: pl.DataFrame = field(default_factory=lambda: empty(TableName.DELIVERIES))
    measurements: pl.DataFrame = field(default_factory=lambda: empty(TableName.MEASUREMENTS))

    def get(self, name: TableName) -> pl.DataFrame:
        frame: pl.DataFrame = getattr(self, name.value)
        return frame
