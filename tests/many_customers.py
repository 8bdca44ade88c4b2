"""A service-based agreement (``customer: "*"``) and tickets of many customers, every third
of which misses its objective: for the tests of the table of many customers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from accord.engine.tables import SCHEMAS, TableName, Tables

__all__ = ["AGREEMENT", "missed", "tables", "write"]

AGREEMENT = """\
accord: 1
id: desk-for-all
title: Service desk for every customer
type: sla
provider: northwind-it
customer: "*"
services: [desk]
effective: {from: 2026-01-01}
timezone: UTC
fee: {amount: 1000, currency: EUR, per: month}
objectives:
  first-response:
    metric: response_time
    target: 1h
    compliance: 90%
    credits:
      - {below: 90%, credit: 5%}
"""


def missed(customer: int) -> bool:
    return customer % 3 == 0


def tables(customers: int, per_customer: int = 4) -> Tables:
    """``per_customer`` tickets of each of ``customers`` customers in March 2026, answered in
    10 minutes, or (every third customer) in 2 hours."""
    rows = []
    for c in range(customers):
        for t in range(per_customer):
            created = datetime(2026, 3, 2 + t, 9, tzinfo=UTC)
            late = 120 if missed(c) else 10
            rows.append({"id": f"T-{c:04d}-{t}", "customer": f"cust-{c:04d}", "service": "desk",
                         "priority": "P2", "created_at": created,
                         "first_response_at": created.replace(hour=9 + late // 60,
                                                              minute=late % 60),
                         "resolved_at": None, "type": "incident", "supplier": None})
    return Tables(tickets=pl.DataFrame(rows, schema=SCHEMAS[TableName.TICKETS]))


def write(directory: Path, customers: int) -> tuple[Path, Path]:
    """The agreement file and a data directory of the tickets, under ``directory``."""
    from accord.io import write_table

    agreements = directory / "agreements"
    data = directory / "data"
    agreements.mkdir()
    data.mkdir()
    (agreements / "desk.yaml").write_text(AGREEMENT)
    assert tables(customers).tickets is not None
    write_table(tables(customers).tickets, data / "tickets.csv")
    return agreements, data
