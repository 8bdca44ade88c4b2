"""Small table files for the io tests, and one frame per table holding every kind of cell."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from accord.engine.tables import SCHEMAS, TableName


def write(directory: Path, name: str, text: str) -> Path:
    """Write ``text`` exactly as given (no newline translation) and return the path."""
    path = directory / name
    path.write_bytes(text.encode())
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


SAMPLES: dict[TableName, dict[str, list[object]]] = {
    TableName.TICKETS: {
        "id": ["T-1", "T-2", "T-3"], "customer": ["acme", "acme", "globex"],
        "service": ["desk", "desk", "billing"], "priority": ["P1", "P2", "P3"],
        "created_at": [at("2026-03-02T09:15:00Z"), at("2026-03-02T10:00:00.123456Z"),
                       at("2026-03-31T23:59:59Z")],
        "first_response_at": [at("2026-03-02T09:20:00Z"), None, None],
        "resolved_at": [None, at("2026-03-03T08:00:00Z"), None],
        "type": ["incident", None, 'a "quoted", multi-line\ncell'], "supplier": [None, None, "x"],
    },
    TableName.TICKET_STATUS: {
        "ticket_id": ["T-2", "T-1", "T-2"],
        "at": [at("2026-03-02T11:00:00Z"), at("2026-03-02T09:20:00Z"),
               at("2026-03-02T11:00:00Z")],
        "status": ["pending_customer", "resolved", "open"],
    },
    TableName.INCIDENTS: {
        "id": ["I-1", "I-2"], "service": ["billing", "billing"],
        "start": [at("2026-03-05T01:00:00Z"), at("2026-03-07T22:00:00Z")],
        "end": [at("2026-03-05T02:30:00Z"), None], "kind": ["outage", "maintenance"],
        "customer": [None, "acme"], "supplier": ["hoster", None],
    },
    TableName.DELIVERIES: {
        "id": ["D-1"], "customer": ["acme"], "item": ["tea"],
        "delivered_at": [at("2026-03-02T08:10:00Z")],
    },
    TableName.MEASUREMENTS: {
        "customer": ["acme", "acme", "acme"], "measure": ["csat", "csat", "calls"],
        "at": [at("2026-03-02T12:00:00Z")] * 3,
        "value": [4.5, 0.1, None], "good": [None, None, 97.0], "total": [None, None, 1e-7],
    },
}


def sample(table: TableName) -> pl.DataFrame:
    return pl.DataFrame(SAMPLES[table], schema=SCHEMAS[table])
