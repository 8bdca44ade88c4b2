"""The data tables the engine reads (DESIGN.md §4), as Polars frames with fixed schemas.

Instants are ``Datetime("us", "UTC")``; every other cell is text, except the numbers of
measurements. Readers (``accord.io``) build :class:`Tables`; the engine never reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl

__all__ = ["INSTANT", "REQUIRED", "SCHEMAS", "TableName", "Tables"]

INSTANT = pl.Datetime("us", "UTC")


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
