"""What the monthly SLA report of a customer and period is made of, gathered from the stored
results as the caller may see them (accord.service.tenancy): the current results with their
items, the trend over twelve periods, the agreement versions and the credit statements.
:mod:`accord.documents.report` renders them.

The PDF takes seconds to print, so it is printed once and kept in the database (table
``reports``): :func:`publish_reports` prints the reports of the customers an evaluation stored
results for, and a download (:func:`report_file`) is served the kept PDF when it is the report
of the current results as the caller may see them — the key of the page it would print now
(:func:`accord.documents.report.report_key`) is the key it was kept under —, and otherwise
prints it and keeps it."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.documents import Source
from accord.documents.report import (
    AgreementInputs,
    ReportInputs,
    render_report,
    report_key,
    report_pdf,
    trend_periods,
    trends_of,
)
from accord.errors import NotFoundError, Problem
from accord.service.catalogue import find_version
from accord.service.credits import open_breaches, statement
from accord.service.evaluations import list_period_results, parse_period
from accord.service.tenancy import Principal
from accord.store.database import for_writing
from accord.store.results import StoredResult, result_history
from accord.store.schema import EvaluationRow, ReportRow, ResultRow

__all__ = ["latest_evaluations", "publish_in_background", "publish_reports", "report_file",
           "report_inputs", "stored_report_pdf"]

_log = logging.getLogger(__name__)


def _no_report(principal: Principal, customer: str, period: str) -> NotFoundError:
    """Nothing stored (or nothing the caller may see) for the customer and period. A caller
    bound to a party hears the same whether the customer exists or is not theirs, and not the
    name it asked for."""
    hint = f"evaluate {period} first (`accord evaluate --period {period}`)"
    if principal.bound:
        return NotFoundError(f"no report for {period}", [Problem(
            f"there is no stored result for this customer in {period}, or it is not yours "
            "to see", hint=f"results appear once the period is evaluated; ask the provider to "
                           f"{hint}")])
    return NotFoundError(f"no stored result for customer {customer!r} in {period}", [Problem(
        f"no stored result for customer {customer!r} in period {period}",
        hint=f"{hint}, or see `accord results list` for the stored periods")])


def _mine(engine: Engine, principal: Principal, customer: str, period: str
          ) -> list[StoredResult]:
    return [r for r in list_period_results(engine, principal, period=period)
            if r.customer == customer]


def _with_items(engine: Engine, result: StoredResult
                ) -> tuple[StoredResult, list[dict[str, Any]]]:
    """The current result of ``result``'s agreement, customer and period, and its evidence
    items in output order (DESIGN.md §6): ``result`` itself unless it was evaluated again
    since it was read, and then the newer one, so that figures and items always agree."""
    found = result_history(engine, result.agreement_id, result.period,
                           customer=result.customer)[0]
    items: list[dict[str, Any]] = found.document.pop("items")
    return found, items


def _still_open(items: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Per objective, how many of its breached tickets are still open."""
    by_objective: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_objective.setdefault(str(item["objective"]), []).append(item)
    return {key: open_breaches(found) for key, found in by_objective.items()}


def _history(engine: Engine, *, customer: str, agreements: Collection[str],
             periods: Sequence[str]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per agreement, the (period, document) of the current results of ``customer`` in
    ``periods``: one query, where reading each period's results of every customer took
    half of the report page's time."""
    query = (select(ResultRow.agreement_id, ResultRow.period, ResultRow.document)
             .where(ResultRow.current, ResultRow.customer == customer,
                    ResultRow.agreement_id.in_(agreements), ResultRow.period.in_(periods))
             .order_by(ResultRow.period))
    found: dict[str, list[tuple[str, dict[str, Any]]]] = {key: [] for key in agreements}
    with Session(engine) as session:
        for agreement_id, label, document in session.execute(query):
            found[agreement_id].append((label, json.loads(document)))
    return found


def report_inputs(engine: Engine, principal: Principal, *, customer: str, period: str
                  ) -> ReportInputs:
    """The monthly report of ``customer`` for ``period`` from the current stored results the
    caller may see; NotFoundError when there are none (the period is not evaluated, or the
    customer is not the caller's)."""
    label = parse_period(period)
    current = _mine(engine, principal, customer, label)
    if not current:
        raise _no_report(principal, customer, label)
    periods = trend_periods(label)
    # What the caller may see is decided by agreement and customer, never by period: the
    # history of the agreements of ``current`` is the caller's to see.
    history = _history(engine, customer=customer, agreements=[r.agreement_id for r in current],
                       periods=periods[:-1])
    agreements = []
    for listed in current:
        # The result is read once with its items, not twice as result_items would.
        result, items = _with_items(engine, listed)
        version = find_version(engine, principal, result.agreement_id, result.version)
        past = [*history[result.agreement_id], (result.period, result.document)]
        agreements.append(AgreementInputs(
            result=result, items=items, agreement=version.agreement(),
            source=Source(version.content_hash, file=version.file, version=version.version,
                          applied_at=version.applied_at, applied_by=version.applied_by),
            statement=statement(result, _still_open(items)).text, trends=trends_of(past, periods)))
    return ReportInputs(customer, label, agreements)


def report_file(engine: Engine, principal: Principal, *, customer: str, period: str, fmt: str,
                now: datetime) -> tuple[ReportInputs, bytes]:
    """The report of ``customer`` for ``period`` as the caller may see it, in ``fmt`` (pdf,
    html or csv; see :func:`accord.documents.report.render_report`); a PDF is the one kept in
    the database when it is the report of the current results, else printed now and kept
    (:func:`stored_report_pdf`)."""
    inputs = report_inputs(engine, principal, customer=customer, period=period)
    if fmt == "pdf":
        return inputs, stored_report_pdf(engine, inputs, now=now)
    return inputs, render_report(inputs, fmt)


def stored_report_pdf(engine: Engine, inputs: ReportInputs, *, now: datetime) -> bytes:
    """The PDF of ``inputs``: the one kept under its key if there is one, else printed (or
    taken from the PDFs printed last in this process) and kept."""
    key = report_key(inputs)
    kept = _kept(engine, inputs, key)
    if kept is not None:
        return kept
    pdf = report_pdf(inputs, key=key)
    _keep(engine, inputs, key, pdf, now=now)
    return pdf


def publish_reports(engine: Engine, evaluation_id: int, *, now: datetime) -> list[str]:
    """Print and keep the report of each customer that evaluation ``evaluation_id`` stored a
    current result for, in its period, as the provider sees it (every agreement of the
    customer), unless it is kept already; the customers, sorted. Reports it replaces — of an
    older evaluation of the same customer and period — are removed."""
    with Session(engine) as session:
        found = session.execute(
            select(ResultRow.customer, ResultRow.period).distinct()
            .where(ResultRow.evaluation_id == evaluation_id, ResultRow.current)).all()
    published = []
    for customer, period in sorted((str(c), str(p)) for c, p in found):
        try:
            inputs = report_inputs(engine, Principal.system(), customer=customer, period=period)
        except NotFoundError:  # evaluated again meanwhile, by another agreement set
            continue
        stored_report_pdf(engine, inputs, now=now)
        published.append(customer)
    return published


def publish_in_background(engine: Engine, evaluation_ids: Sequence[int], *, now: datetime
                          ) -> threading.Thread:
    """:func:`publish_reports` of each evaluation in turn, on a thread of its own, for a caller
    that goes on serving (the worker, the demo): the thread, started. A failure is logged; the
    reports are then printed at their first download."""

    def publish() -> None:
        for evaluation_id in evaluation_ids:
            try:
                published = publish_reports(engine, evaluation_id, now=now)
            except Exception:
                _log.exception("the reports of evaluation %s were not printed", evaluation_id)
            else:
                _log.info("printed the reports of evaluation %s: %s", evaluation_id,
                          ", ".join(published) or "none")

    thread = threading.Thread(target=publish, name="accord-reports", daemon=True)
    thread.start()
    return thread


def latest_evaluations(engine: Engine, periods: Sequence[str]) -> list[int]:
    """The latest stored evaluation of each of ``periods`` that has one, in that order."""
    with Session(engine) as session:
        found = dict(session.execute(
            select(EvaluationRow.period, func.max(EvaluationRow.id))
            .where(EvaluationRow.period.in_(periods)).group_by(EvaluationRow.period)).all())
    return [int(found[p]) for p in periods if found.get(p) is not None]


def _result_ids(inputs: ReportInputs) -> list[int]:
    return [entry.result.id for entry in inputs.agreements]


def _kept(engine: Engine, inputs: ReportInputs, key: str) -> bytes | None:
    with Session(engine) as session:
        pdf = session.scalar(select(ReportRow.pdf).where(
            ReportRow.customer == inputs.customer, ReportRow.period == inputs.period,
            ReportRow.page_sha256 == key))
    return None if pdf is None else bytes(pdf)


def _keep(engine: Engine, inputs: ReportInputs, key: str, pdf: bytes, *, now: datetime
          ) -> None:
    """Keep ``pdf`` under ``key``, and remove the reports of the customer and period printed
    from an older evaluation than the newest of ``inputs`` (never served again: their key is
    of results since replaced). Printed twice at once, the PDF is kept once."""
    try:
        with Session(for_writing(engine)) as session, session.begin():
            evaluation = session.scalar(select(func.max(ResultRow.evaluation_id)).where(
                ResultRow.id.in_(_result_ids(inputs))))
            if evaluation is None:  # the results are gone: nothing to keep it for
                return
            session.execute(delete(ReportRow).where(
                ReportRow.customer == inputs.customer, ReportRow.period == inputs.period,
                ReportRow.evaluation_id < evaluation))
            session.add(ReportRow(
                customer=inputs.customer, period=inputs.period, page_sha256=key,
                evaluation_id=evaluation, sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf,
                printed_at=now))
    except IntegrityError:
        pass  # printed and kept meanwhile by another request or the publisher
