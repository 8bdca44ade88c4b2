"""What the monthly SLA report of a customer and period is made of, gathered from the stored
results as the caller may see them (accord.service.tenancy): the current results with their
items, the trend over twelve periods, the agreement versions and the credit statements.
:mod:`accord.documents.report` renders them."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.documents import Source
from accord.documents.report import AgreementInputs, ReportInputs, trend_periods, trends_of
from accord.errors import NotFoundError, Problem
from accord.service.catalogue import find_version
from accord.service.credits import statement
from accord.service.evaluations import list_period_results, parse_period
from accord.service.tenancy import Principal
from accord.store.results import StoredResult, result_history
from accord.store.schema import ResultRow

__all__ = ["report_inputs"]


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
            statement=statement(result).text, trends=trends_of(past, periods)))
    return ReportInputs(customer, label, agreements)
