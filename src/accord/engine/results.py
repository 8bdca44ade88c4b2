"""Evaluation results and the JSON document they print as (DESIGN.md §6, docs/semantics.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import pairwise
from typing import Any, TextIO

import numpy as np
import polars as pl

from accord.engine.clock import US
from accord.engine.credits import AgreementCredit
from accord.engine.periods import Period
from accord.model.agreement import Agreement
from accord.model.objectives import Metric

__all__ = ["ITEM_COLUMNS", "AgreementResult", "Evaluation", "ObjectiveResult", "format_instant"]

ITEM_COLUMNS: dict[Metric, tuple[str, ...]] = {
    Metric.RESPONSE_TIME: ("ticket", "state", "elapsed_s", "target_s", "due_at", "met", "period"),
    Metric.RESOLUTION_TIME: ("ticket", "state", "elapsed_s", "target_s", "due_at", "met",
                             "period"),
    Metric.DELIVERY: ("slot", "window_end", "delivery", "delivered_at", "met", "period"),
    Metric.AVAILABILITY: ("incident", "kind", "start", "end", "downtime_s", "met", "period"),
    Metric.KPI: (),
}
_INSTANTS = ("due_at", "slot", "window_end", "delivered_at", "start", "end")


def format_instant(instant: datetime) -> str:
    """UTC with ``Z``; microseconds only when there are some."""
    text = instant.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def _seconds(microseconds: int) -> int | float:
    return microseconds // US if microseconds % US == 0 else microseconds / US


def _number(value: Fraction | Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class ObjectiveResult:
    id: str
    metric: Metric
    clause: str | None
    attainment: Fraction | None
    goal: Decimal
    met: bool
    counted: int
    breached: int
    pending: int
    credit: Decimal
    target: str | None = None
    downtime_us: int | None = None
    measured_us: int | None = None

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id, "metric": self.metric.value, "clause": self.clause,
            "attainment": _number(self.attainment), "goal": _number(self.goal),
            "met": self.met, "counted": self.counted, "breached": self.breached,
            "pending": self.pending, "credit": {"percent": float(self.credit * 100)},
        }
        if self.target is not None:
            doc["target"] = self.target
        if self.metric is Metric.AVAILABILITY:
            doc["downtime_s"] = _seconds(self.downtime_us or 0)
            doc["measured_s"] = _seconds(self.measured_us or 0)
        return doc


@dataclass(frozen=True)
class AgreementResult:
    agreement: Agreement
    customer: str
    start: datetime
    end: datetime
    objectives: tuple[ObjectiveResult, ...]
    credit: AgreementCredit

    @property
    def met(self) -> bool:
        return all(o.met for o in self.objectives)

    def document(self) -> dict[str, Any]:
        return {
            "id": self.agreement.id, "customer": self.customer,
            "title": self.agreement.title, "type": self.agreement.type.value,
            "period": {"start": format_instant(self.start), "end": format_instant(self.end)},
            "met": self.met,
            "objectives": [o.document() for o in self.objectives],
            "credit": {
                "percent": float(self.credit.share * 100),
                "amount": None if self.credit.amount is None else str(self.credit.amount),
                "currency": self.credit.currency,
                "capped": self.credit.capped,
            },
        }


@dataclass(frozen=True)
class Evaluation:
    """Agreements × data × period → per-objective results and the evidence items."""

    period: Period
    at: datetime
    agreements: tuple[AgreementResult, ...]
    plan: pl.LazyFrame
    """How to build :attr:`items`; they are built when first read."""

    @cached_property
    def items(self) -> pl.DataFrame:
        """One row per item, grouped by agreement and objective; the columns of every metric
        (null where they do not apply). :meth:`sorted_items` puts them in the order of
        DESIGN.md §5."""
        return self.plan.collect()

    def sorted_items(self) -> pl.DataFrame:
        """Items by agreement, customer, objective (in file order), then ticket, slot or
        incident; without the sort keys."""
        return self.items.sort(["agreement", "customer", "_order", "_key"],
                               maintain_order=True).drop("_order", "_key")

    def formatted_items(self) -> pl.DataFrame:
        """The sorted items with instants as ``…Z`` text, as they print in JSON and CSV."""
        frame = self.sorted_items()
        return frame.with_columns(
            pl.when(pl.col(c).dt.microsecond() == 0)
            .then(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
            .otherwise(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S.%6fZ"))
            .alias(c)
            for c in _INSTANTS if c in frame.columns
        )

    def item_documents(self) -> list[dict[str, Any]]:
        rows = self.formatted_items().to_dicts()
        documents = []
        for row in rows:
            metric = Metric(row["metric"])
            doc = {"agreement": row["agreement"], "customer": row["customer"],
                   "objective": row["objective"]}
            doc.update((c, row[c]) for c in ITEM_COLUMNS[metric])
            documents.append(doc)
        return documents

    def document(self) -> dict[str, Any]:
        return {**self.document_head(), "items": self.item_documents()}

    def write_json(self, out: TextIO) -> None:
        """:meth:`document` as indented JSON, the items encoded by Polars a run at a time (a
        million items print in seconds, not minutes)."""
        head = json.dumps({**self.document_head(), "items": []}, ensure_ascii=False, indent=2)
        before, _, after = head.rpartition('"items": []')
        out.write(before + '"items": [')
        items = self.formatted_items()
        runs = items.select(pl.struct("agreement", "customer", "objective").rle_id()).to_series()
        bounds = np.flatnonzero(np.diff(runs.to_numpy(), prepend=-1, append=-1))
        separator = "\n    "
        for start, end in pairwise(bounds.tolist()):
            run = items.slice(start, end - start)
            metric = Metric(run.item(0, "metric"))
            columns = ["agreement", "customer", "objective", *ITEM_COLUMNS[metric]]
            lines = run.select(columns).write_ndjson().rstrip("\n").replace("\n", ",\n    ")
            out.write(separator + lines)
            separator = ",\n    "
        out.write(("\n  ]" if len(items) else "]") + after)

    def document_head(self) -> dict[str, Any]:
        """The document without its items."""
        return {
            "period": {"label": self.period.label, "at": format_instant(self.at)},
            "agreements": [a.document() for a in self.agreements],
        }
