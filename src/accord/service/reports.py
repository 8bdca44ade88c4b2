"""What the monthly SLA report of a customer and period is made of, gathered from the stored
results as the caller may see them (accord.service.tenancy): the current results with their
items, the trend over twelve periods, the agreement versions and the credit statements.
:mod:`accord.documents.report` renders them."""

from __future__ import annotations

from sqlalchemy import Engine

from accord.documents import Source
from accord.documents.report import AgreementInputs, ReportInputs, trend_periods, trends_of
from accord.errors import NotFoundError, Problem
from accord.service.catalogue import find_version
from accord.service.credits import statement
from accord.service.evaluations import list_period_results, parse_period, result_items
from accord.service.tenancy import Principal
from accord.store.results import StoredResult

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
    history = {p: _mine(engine, principal, customer, p) for p in periods[:-1]}
    history[label] = current
    agreements = []
    for result in current:
        items = result_items(engine, principal, period=label, agreement_id=result.agreement_id,
                             customer=customer, limit=10**9).items
        version = find_version(engine, principal, result.agreement_id, result.version)
        past = [r for p in periods for r in history[p] if r.agreement_id == result.agreement_id]
        agreements.append(AgreementInputs(
            result=result, items=items, agreement=version.agreement(),
            source=Source(version.content_hash, file=version.file, version=version.version,
                          applied_at=version.applied_at, applied_by=version.applied_by),
            statement=statement(result).text, trends=trends_of(past, periods)))
    return ReportInputs(customer, label, agreements)
