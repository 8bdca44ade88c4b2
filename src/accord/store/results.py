"""Stored evaluations: per agreement, customer, objective and period — attainment, counts,
credits and the evidence items — with the agreement version and the instant ``at``.

Storing an evaluation of a period makes its results the *current* ones for the agreements it
evaluated; the results they replace stay, as history.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.orm import Session

from accord.engine import Evaluation
from accord.engine.results import ITEM_COLUMNS
from accord.errors import NotFoundError, Problem
from accord.model import Metric
from accord.store.database import for_writing
from accord.store.schema import (
    AgreementVersionRow,
    EvaluationRow,
    ObjectiveResultRow,
    ResultRow,
)

__all__ = ["StoredResult", "list_results", "result_history", "store_evaluation"]


@dataclass(frozen=True)
class StoredResult:
    """One stored result of an agreement for a customer and period, as read back."""

    id: int
    agreement_id: str
    customer: str
    period: str
    version: int
    at: datetime
    evaluated_at: datetime
    evaluated_by: str
    current: bool
    met: bool
    credit_percent: str
    credit_amount: str | None
    currency: str | None
    document: dict[str, Any]
    """The agreement's part of the JSON document, with its ``items``."""


def store_evaluation(engine: Engine, evaluation: Evaluation, versions: Mapping[str, int], *,
                     evaluated: Collection[str], by: str, now: datetime) -> int:
    """Store ``evaluation`` as the current results of the ``evaluated`` agreements for its
    period (``versions``: the stored version id of each); returns the evaluation's id."""
    period = evaluation.period.label
    items = _item_lists(evaluation)
    with Session(for_writing(engine)) as session, session.begin():
        if engine.dialect.name == "postgresql":
            # One evaluation stores at a time, so that each sees the results the last one made
            # current (SQLite's BEGIN IMMEDIATE already serialises writers). Readers go on.
            session.execute(text(
                f"LOCK TABLE {ResultRow.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))
        run = EvaluationRow(period=period, at=evaluation.at, evaluated_at=now, evaluated_by=by)
        session.add(run)
        if evaluated:
            session.execute(update(ResultRow).where(
                ResultRow.period == period, ResultRow.current,
                ResultRow.agreement_id.in_(list(evaluated))).values(current=False))
        session.flush()
        objective_rows: list[dict[str, Any]] = []
        for result in evaluation.agreements:
            document = result.document()
            credit = result.credit
            row = ResultRow(
                evaluation_id=run.id, agreement_id=result.agreement.id,
                version_id=versions[result.agreement.id], customer=result.customer,
                period=period, current=True, met=result.met,
                credit_percent=str(credit.share * 100),
                credit_amount=None if credit.amount is None else str(credit.amount),
                currency=credit.currency, capped=credit.capped,
                document=json.dumps(document, ensure_ascii=False))
            session.add(row)
            session.flush()
            for position, objective in enumerate(result.objectives):
                shown = document["objectives"][position]
                objective_rows.append({
                    "result_id": row.id, "position": position, "objective": objective.id,
                    "metric": objective.metric.value, "attainment": shown["attainment"],
                    "goal": shown["goal"], "met": objective.met, "counted": objective.counted,
                    "breached": objective.breached, "pending": objective.pending,
                    "credit_percent": shown["credit"]["percent"],
                    "items": items.get((result.agreement.id, result.customer, objective.id),
                                       "[]"),
                })
        if objective_rows:
            session.execute(insert(ObjectiveResultRow), objective_rows)
        return run.id



def _item_lists(evaluation: Evaluation) -> dict[tuple[str, str, str], str]:
    """The items of each agreement, customer and objective as a JSON list, in output order,
    each item with the keys it prints with (``Evaluation.item_documents``), encoded by Polars
    column-wise rather than one Python dict per item."""
    frame = evaluation.formatted_items()
    lists: dict[tuple[str, str, str], str] = {}
    for metric in Metric:
        chosen = frame.filter(pl.col("metric") == metric.value)
        if chosen.height == 0:
            continue
        keys = ["agreement", "customer", "objective"]
        encoded = chosen.select(*keys, pl.struct([*keys, *ITEM_COLUMNS[metric]])
                                .struct.json_encode().alias("item"))
        grouped = encoded.group_by(keys, maintain_order=True).agg(pl.col("item").str.join(","))
        for agreement, customer, objective, joined in grouped.iter_rows():
            lists[(agreement, customer, objective)] = f"[{joined}]"
    return lists


def _query(*, period: str | None, agreement_id: str | None, customer: str | None,
           history: bool) -> Any:
    query = (select(ResultRow, EvaluationRow, AgreementVersionRow.version)
             .join(EvaluationRow, ResultRow.evaluation_id == EvaluationRow.id)
             .join(AgreementVersionRow, ResultRow.version_id == AgreementVersionRow.id))
    if not history:
        query = query.where(ResultRow.current)
    if period is not None:
        query = query.where(ResultRow.period == period)
    if agreement_id is not None:
        query = query.where(ResultRow.agreement_id == agreement_id)
    if customer is not None:
        query = query.where(ResultRow.customer == customer)
    return query.order_by(ResultRow.period, ResultRow.agreement_id, ResultRow.customer,
                          ResultRow.id.desc())


def _read(engine: Engine, query: Any, *, with_items: bool) -> list[StoredResult]:
    found: list[StoredResult] = []
    with Session(engine) as session:
        for result, run, version in session.execute(query).all():
            document = json.loads(result.document)
            if with_items:
                objectives = session.scalars(
                    select(ObjectiveResultRow).where(ObjectiveResultRow.result_id == result.id)
                    .order_by(ObjectiveResultRow.position)).all()
                document["items"] = [item for o in objectives for item in json.loads(o.items)]
            found.append(StoredResult(
                result.id, result.agreement_id, result.customer, result.period, version,
                run.at, run.evaluated_at, run.evaluated_by, result.current, result.met,
                result.credit_percent, result.credit_amount, result.currency, document))
    return found


def list_results(engine: Engine, period: str | None = None) -> list[StoredResult]:
    """The current results, by period, agreement and customer (without their items)."""
    return _read(engine, _query(period=period, agreement_id=None, customer=None, history=False),
                 with_items=False)


def result_history(engine: Engine, agreement_id: str, period: str, *,
                   customer: str | None = None, history: bool = False) -> list[StoredResult]:
    """The current results of an agreement for a period (with ``history``, the ones they
    replaced too, newest first), with their items; NotFoundError when there are none."""
    found = _read(engine, _query(period=period, agreement_id=agreement_id, customer=customer,
                                 history=history), with_items=True)
    if not found:
        whom = f" for customer {customer!r}" if customer else ""
        raise NotFoundError(f"no stored result of {agreement_id} for {period}", [Problem(
            f"no stored result of agreement {agreement_id!r} for period {period}{whom}",
            hint=f"run `accord evaluate --period {period}` first, or see `accord results list`")])
    return found
