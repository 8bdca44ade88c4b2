"""Stored evaluations: per agreement, customer, objective and period — attainment, counts,
credits and the evidence items — with the agreement version and the instant ``at``.

Storing an evaluation of a period makes its results the *current* ones for the agreements it
evaluated; the results they replace stay, as history.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from accord.engine import Evaluation
from accord.errors import NotFoundError, Problem
from accord.store.database import for_writing
from accord.store.schema import (
    AgreementVersionRow,
    EvaluationRow,
    ObjectiveResultRow,
    ResultRow,
)

__all__ = [
    "StoredResult",
    "list_results",
    "objective_items",
    "result_history",
    "store_evaluation",
    "stored_periods",
]


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
    items = _Items(evaluation)
    postgres = engine.dialect.name == "postgresql"
    with Session(for_writing(engine)) as session, session.begin():
        if postgres:
            # One evaluation stores at a time, so that each sees the results the last one made
            # current (SQLite's BEGIN IMMEDIATE already serialises writers). Readers go on.
            session.execute(text(
                f"LOCK TABLE {ResultRow.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))
            _fast_compression(session)
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
                    "items": (result.agreement.id, result.customer, objective.id),
                })
        if objective_rows:
            _insert_objectives(session, objective_rows, items, postgres=postgres)
        return run.id


def _fast_compression(session: Session) -> None:
    """PostgreSQL: compress the large item lists of this transaction with lz4 rather than the
    default pglz (several times faster, the same data), where the server is built with it.
    A setting of this transaction only; the table is unchanged."""
    offered = session.execute(text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
        "WHERE name = 'default_toast_compression'")).scalar()
    if offered:
        session.execute(text("SET LOCAL default_toast_compression = 'lz4'"))


def _insert_objectives(session: Session, rows: list[dict[str, Any]], items: _Items, *,
                       postgres: bool) -> None:
    """The objective rows, each with its items as JSON text (a million items make hundreds of
    megabytes): the next row's items are encoded on a thread while the driver writes the
    row before (both let go of the GIL), so the two overlap."""
    columns = list(rows[0])
    connection = session.connection()
    cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    if postgres:
        statement = (f"INSERT INTO {ObjectiveResultRow.__tablename__} ({', '.join(columns)}) "
                     f"VALUES ({', '.join(f'%({c})s' for c in columns)})")

        # The items go as the UTF-8 bytes they are encoded in, sent as text: no copy made to
        # decode them into a str and encode that again.
        cursor.adapters.register_dumper(memoryview, _utf8_text_dumper())

        def encoded(row: dict[str, Any]) -> Any:
            return {**row, "items": memoryview(items.encoded(row["items"]))}
    else:
        # SQLite keeps text as UTF-8: the bytes, cast to text, are stored as they are.
        statement = (f"INSERT INTO {ObjectiveResultRow.__tablename__} ({', '.join(columns)}) "
                     "VALUES (" + ", ".join("CAST(? AS TEXT)" if c == "items" else "?"
                                            for c in columns) + ")")

        def encoded(row: dict[str, Any]) -> Any:
            return [items.encoded(row[c]) if c == "items" else row[c] for c in columns]

    try:
        with ThreadPoolExecutor(1, thread_name_prefix="accord-items") as encoder:
            ahead = encoder.submit(encoded, rows[0])
            for following in [*rows[1:], None]:
                params = ahead.result()
                if following is not None:
                    ahead = encoder.submit(encoded, following)
                cursor.execute(statement, params)
    finally:
        cursor.close()


def _utf8_text_dumper() -> type:
    """A psycopg dumper that sends a buffer of UTF-8 text as it is, as a ``text`` parameter."""
    from psycopg.adapt import Dumper
    from psycopg.postgres import types

    class Utf8TextDumper(Dumper):
        oid = types["text"].oid

        def dump(self, obj: Any) -> Any:
            return obj

    return Utf8TextDumper


class _Items:
    """The items of each agreement, customer and objective as a JSON list (UTF-8), in output
    order, each item with the keys it prints with: the same text as ``accord evaluate --format
    json`` prints for them (:meth:`Evaluation.encoded_items`)."""

    def __init__(self, evaluation: Evaluation) -> None:
        self._evaluation = evaluation
        self._runs = {(run.agreement, run.customer, run.objective): run
                      for run in evaluation.item_runs()}

    def encoded(self, key: tuple[str, str, str]) -> bytes:
        run = self._runs.get(key)
        if run is None:
            return b"[]"
        return self._evaluation.encoded_items(run, b",", (b"[", b"]"))


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


def objective_items(engine: Engine, result_id: int, objectives: Collection[str]
                    ) -> dict[str, list[dict[str, Any]]]:
    """The evidence items of some objectives of one stored result (by objective id), read
    without the other objectives' items."""
    if not objectives:
        return {}
    with Session(engine) as session:
        rows = session.execute(
            select(ObjectiveResultRow.objective, ObjectiveResultRow.items)
            .where(ObjectiveResultRow.result_id == result_id,
                   ObjectiveResultRow.objective.in_(list(objectives)))).all()
    return {objective: json.loads(items) for objective, items in rows}


def stored_periods(engine: Engine) -> list[str]:
    """The labels of the periods with current results, in order."""
    with Session(engine) as session:
        found = session.scalars(select(ResultRow.period).where(ResultRow.current).distinct())
        return sorted(found)
