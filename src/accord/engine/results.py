"""Evaluation results and the JSON document they print as (DESIGN.md §6, docs/semantics.md)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import US
from accord.engine.credits import AgreementCredit
from accord.engine.periods import Period
from accord.model.agreement import Agreement
from accord.model.objectives import Metric

__all__ = ["ITEM_COLUMNS", "AgreementResult", "Evaluation", "ItemRun", "ObjectiveResult",
           "format_instant"]

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
class ItemRun:
    """The items of one agreement, customer and objective: ``length`` items from ``start`` in
    output order."""

    agreement: str
    customer: str
    objective: str
    metric: Metric
    start: int
    length: int


@dataclass(frozen=True)
class _Output:
    rows: npt.NDArray[np.int64]
    """The items' rows in output order."""
    runs: tuple[ItemRun, ...]


_SORT_KEYS = ("agreement", "customer", "_order", "_key")
_ONE_INTEGER = 1 << 62
"""The ranks of the sort keys are combined into one int64 below this."""


def _output_order(items: pl.DataFrame) -> _Output:
    """The order of DESIGN.md §5 ("Order"): exactly what a stable sort of the items by
    agreement, customer, objective (``_order``) and ticket, slot or incident (``_key``) gives.

    Sorting by several text columns at once compares rows of them, which is slow for millions
    of items; here each key becomes an integer rank instead — the place of its value among the
    column's distinct values (few: agreements, customers, objectives) or, for ``_key``, the
    row's place in a stable sort of that one column, which keeps equal keys in their order —
    and the rows are sorted by one integer made of the four ranks.
    """
    n = items.height
    groups, count = np.zeros(n, dtype=np.int64), 1
    for column in _SORT_KEYS[:-1]:
        ranks, distinct = _dense_ranks(items.get_column(column))
        groups = groups * distinct + ranks
        count *= distinct
    if count * max(n, 1) >= _ONE_INTEGER:  # too many groups for one integer: sort the columns
        by_columns = items.select(pl.arg_sort_by(_SORT_KEYS, maintain_order=True)).to_series()
        return _runs(items, by_columns.to_numpy().astype(np.int64), None)
    by_key = items.select(pl.arg_sort_by("_key", maintain_order=True)).to_series().to_numpy()
    key_ranks = np.empty(n, dtype=np.int64)
    key_ranks[by_key] = np.arange(n, dtype=np.int64)
    # Every (group, key rank) pair is distinct, so any sort gives the one order.
    rows = np.argsort(groups * n + key_ranks).astype(np.int64)
    return _runs(items, rows, groups[rows])


def _dense_ranks(column: pl.Series) -> tuple[npt.NDArray[np.int64], int]:
    """Each value's place among the column's distinct values in sort order (empty cells
    first, as the sort puts them), and how many distinct values there are."""
    distinct = column.unique().sort(nulls_last=False)
    ranks = (pl.DataFrame({"value": column})
             .join(pl.DataFrame({"value": distinct, "rank": np.arange(len(distinct))}),
                   on="value", how="left", nulls_equal=True, maintain_order="left")
             .get_column("rank"))
    return ranks.to_numpy().astype(np.int64), max(len(distinct), 1)


def _runs(items: pl.DataFrame, rows: npt.NDArray[np.int64],
          groups: npt.NDArray[np.int64] | None) -> _Output:
    """The runs of one agreement, customer and objective among the items in order ``rows``."""
    if groups is None:
        groups = (items.select(_SORT_KEYS[:-1])[pl.Series(rows)]
                  .select(pl.struct(_SORT_KEYS[:-1]).rle_id()).to_series().to_numpy())
    starts = np.flatnonzero(np.diff(groups, prepend=-1))
    ends = [*starts[1:].tolist(), len(rows)][:len(starts)]
    heads = items.select("agreement", "customer", "objective", "metric")[pl.Series(rows[starts])]
    return _Output(rows, tuple(
        ItemRun(agreement, customer, objective, Metric(metric), start, end - start)
        for (agreement, customer, objective, metric), start, end
        in zip(heads.iter_rows(), starts.tolist(), ends, strict=True)))


def _formatted(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its instants as ``…Z`` text, with microseconds only where there are
    some (formatting them twice, with and without, only where a column has any)."""
    whole = "%Y-%m-%dT%H:%M:%SZ"
    formats = []
    for column in _INSTANTS:
        if column not in frame.columns:
            continue
        instant = pl.col(column)
        if frame.select((instant.dt.microsecond() != 0).any()).item():
            formats.append(pl.when(instant.dt.microsecond() == 0)
                           .then(instant.dt.strftime(whole))
                           .otherwise(instant.dt.strftime("%Y-%m-%dT%H:%M:%S.%6fZ"))
                           .alias(column))
        else:
            formats.append(instant.dt.strftime(whole))
    return frame.with_columns(formats) if formats else frame


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
        # One chunk per column: gathering the items into output order from many chunks (one
        # per objective) costs several times what joining them once does.
        return self.plan.collect().rechunk()

    @cached_property
    def _output(self) -> _Output:
        return _output_order(self.items)

    def sorted_items(self) -> pl.DataFrame:
        """Items by agreement, customer, objective (in file order), then ticket, slot or
        incident; without the sort keys."""
        return self.items.drop("_order", "_key")[self._output.rows]

    def formatted_items(self) -> pl.DataFrame:
        """The sorted items with instants as ``…Z`` text, as they print in JSON and CSV."""
        return _formatted(self.sorted_items())

    def item_runs(self) -> tuple[ItemRun, ...]:
        """The items in output order as runs of one agreement, customer and objective each."""
        return self._output.runs

    def encoded_items(self, run: ItemRun, separator: bytes, ends: tuple[bytes, bytes] = (b"", b"")
                      ) -> bytes:
        """The items of ``run`` as the JSON objects they print as (the keys of
        :meth:`item_documents`, UTF-8), joined by ``separator``, between ``ends``.

        Polars encodes the runs' own columns as JSON lines (a million items in about a second,
        not the minutes of a dict per item), and the keys every item of a run shares, which are
        put in front of each of its lines: all runs of a metric at once (:attr:`_encoded`), as
        a thousand customers make thousands of runs, and a call of Polars per run cost more
        than the evaluation.
        """
        shared, lines = self._encoded[run]
        if lines is None:
            return ends[0] + separator.join([shared] * run.length) + ends[1]
        prefix = shared[:-1] + b","  # '{"agreement":…,"objective":…,' and then a line's rest
        # Each line is '{…}\n', and JSON escapes every newline inside a value, so "\n{" is
        # exactly where one item ends and the next begins.
        joined = memoryview(bytes(lines).replace(b"\n{", separator + prefix))
        return b"".join((ends[0], prefix, joined[1:-1], ends[1]))

    @cached_property
    def _encoded(self) -> dict[ItemRun, tuple[bytes, memoryview | None]]:
        """Each run's shared keys (``{"agreement":…,"customer":…,"objective":…}``) and its
        items' own columns as JSON lines, a view into the lines of all items of its metric
        (None for a metric without item columns)."""
        runs = self.item_runs()
        head = io.BytesIO()
        pl.DataFrame({"agreement": [r.agreement for r in runs],
                      "customer": [r.customer for r in runs],
                      "objective": [r.objective for r in runs]},
                     schema={"agreement": pl.String, "customer": pl.String,
                             "objective": pl.String}).write_ndjson(head)
        heads = head.getvalue().split(b"\n")
        encoded: dict[ItemRun, tuple[bytes, memoryview | None]] = {
            run: (heads[i], None) for i, run in enumerate(runs)}
        for metric in Metric:
            mine = [(i, run) for i, run in enumerate(runs) if run.metric is metric]
            if not mine or not ITEM_COLUMNS[metric]:
                continue
            rows = np.concatenate([self._output.rows[run.start:run.start + run.length]
                                   for _, run in mine])
            lines = io.BytesIO()
            _formatted(self.items.select(ITEM_COLUMNS[metric])[pl.Series(rows)]
                       ).write_ndjson(lines)
            text = memoryview(lines.getvalue())
            line_ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 10) + 1
            first = 0
            for i, run in mine:
                start = int(line_ends[first - 1]) if first else 0
                first += run.length
                end = int(line_ends[first - 1]) if run.length else start
                encoded[run] = (heads[i], text[start:end])
        return encoded

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
        """:meth:`document` as indented JSON, the items encoded a run at a time
        (:meth:`encoded_items`)."""
        head = json.dumps({**self.document_head(), "items": []}, ensure_ascii=False, indent=2)
        before, _, after = head.rpartition('"items": []')
        out.write(before + '"items": [')
        runs = self.item_runs()
        for run in runs:
            out.write("\n    " if run.start == 0 else ",\n    ")
            out.write(self.encoded_items(run, b",\n    ").decode("utf-8"))
        out.write(("\n  ]" if runs else "]") + after)

    def document_head(self) -> dict[str, Any]:
        """The document without its items."""
        return {
            "period": {"label": self.period.label, "at": format_instant(self.at)},
            "agreements": [a.document() for a in self.agreements],
        }
