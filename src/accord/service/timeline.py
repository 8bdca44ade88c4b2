"""Results over time, as the portal shows them: the periods a reader can pick (every month up
to the current one, quarters and years), each agreement's last twelve months as a strip (met,
missed, credit), and credits added up per currency — for a period and for the year to date.

Only monthly results are added up or drawn in a strip: a quarter's or a year's result, where one
is stored, covers the same tickets as its months and would count them twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import Engine

from accord import formatting
from accord.service.credits import CreditStatement
from accord.store.results import StoredResult, stored_periods

__all__ = ["AgreementStrip", "CreditTotal", "MonthCell", "PeriodChoices", "agreement_strips",
           "credit_total", "last_month_of", "month_of", "period_choices", "previous_periods",
           "statements_total", "year_to_date"]

MonthState = Literal["met", "missed", "none"]


def month_of(instant: datetime) -> str:
    """The calendar month (UTC) containing ``instant``, as a period label."""
    return f"{instant.year:04d}-{instant.month:02d}"


def previous_periods(period: str, count: int) -> list[str]:
    """``count`` monthly periods ending with ``period`` (a month), oldest first."""
    year, month = int(period[:4]), int(period[5:7])
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return labels[::-1]


def _is_month(label: str) -> bool:
    return len(label) == 7 and label[4] == "-" and label[5:].isdigit()


def last_month_of(period: str, now: datetime) -> str:
    """The last month of ``period`` (a month, ``2026-Q1`` or ``2026``) that has begun at
    ``now``: a strip or a year to date never reaches past the current month."""
    if _is_month(period):
        last = period
    elif "-Q" in period.upper():
        last = f"{period[:4]}-{int(period[-1]) * 3:02d}"
    else:
        last = f"{period[:4]}-12"
    return min(last, month_of(now))


@dataclass(frozen=True)
class PeriodChoices:
    """What the period picker offers, newest first in each group."""

    months: list[str]
    quarters: list[str]
    years: list[str]


def period_choices(engine: Engine, now: datetime, chosen: str) -> PeriodChoices:
    """Every month from the first with stored results (or a year before now, whichever is
    earlier) to the current month; the quarters and years they fall in; and ``chosen``,
    wherever it lies."""
    current = month_of(now)
    stored = [p for p in stored_periods(engine) if p[:4].isdigit()]
    first = min([previous_periods(current, 12)[0], *(f"{p[:4]}-01" if not _is_month(p) else p
                                                     for p in stored)])
    first = min(first, current)
    months: list[str] = []
    year, month = int(current[:4]), int(current[5:7])
    while f"{year:04d}-{month:02d}" >= first:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    years = sorted({m[:4] for m in months}, reverse=True)
    quarters = [f"{y}-Q{q}" for y in years for q in (4, 3, 2, 1)
                if f"{y}-{(q - 1) * 3 + 1:02d}" <= current and f"{y}-{q * 3:02d}" >= first]
    group = months if _is_month(chosen) else quarters if "-Q" in chosen else years
    if chosen not in group:
        group.append(chosen)
        group.sort(reverse=True)
    return PeriodChoices(months, quarters, years)


@dataclass(frozen=True)
class CreditTotal:
    """Credits added up: amounts per currency, and credits with no amount (a share of a fee
    the agreement does not state) listed as shares."""

    amounts: dict[str, Decimal] = field(default_factory=dict)
    shares: list[float] = field(default_factory=list)

    @property
    def owed(self) -> bool:
        return any(self.amounts.values()) or bool(self.shares)

    def texts(self) -> list[str]:
        """``EUR 4,625.00``, ``USD 120.00``, ``5 % of the fee`` — one per currency or share."""
        return [formatting.money(amount, currency)
                for currency, amount in sorted(self.amounts.items()) if amount] + [
            f"{formatting.number(share, 2)} % of the fee" for share in self.shares]

    def __str__(self) -> str:
        return " + ".join(self.texts()) or "none"


def credit_total(results: Iterable[StoredResult]) -> CreditTotal:
    """The credits of ``results`` added up per currency."""
    return _added((float(r.document["credit"]["percent"]), r.document["credit"].get("amount"),
                   r.document["credit"].get("currency")) for r in results)


def statements_total(statements: Iterable[CreditStatement]) -> CreditTotal:
    """The credits of ``statements`` added up per currency."""
    return _added((s.percent, s.amount, s.currency) for s in statements)


def _added(credits: Iterable[tuple[float, str | None, str | None]]) -> CreditTotal:
    amounts: dict[str, Decimal] = {}
    shares: list[float] = []
    for percent, amount, currency in credits:
        if percent <= 0:
            continue
        if amount is None:
            shares.append(percent)
            continue
        key = currency or ""
        amounts[key] = amounts.get(key, Decimal(0)) + Decimal(str(amount))
    return CreditTotal(amounts, shares)


def year_to_date(results: Iterable[StoredResult], last_month: str) -> list[StoredResult]:
    """The monthly results of ``last_month``'s year up to and including it."""
    return [r for r in results if _is_month(r.period)
            and r.period[:4] == last_month[:4] and r.period <= last_month]


@dataclass(frozen=True)
class MonthCell:
    """One month of an agreement's strip."""

    period: str
    state: MonthState
    """``none`` where no result of the month is stored."""
    credit: CreditTotal

    @property
    def text(self) -> str:
        """What the month was, in words: ``March 2026: missed, credit EUR 4,625.00``."""
        name = formatting.period_name(self.period)
        if self.state == "none":
            return f"{name}: no result stored"
        credit = f", credit {self.credit}" if self.credit.owed else ""
        return f"{name}: {self.state}{credit}"


@dataclass(frozen=True)
class AgreementStrip:
    """An agreement's last twelve months for one customer, and its credits in the year to
    date."""

    agreement: str
    customer: str
    months: list[MonthCell]
    """Oldest first."""
    year_to_date: CreditTotal


def agreement_strips(results: Sequence[StoredResult], *, last_month: str
                     ) -> dict[tuple[str, str], AgreementStrip]:
    """For each (agreement, customer) of ``results`` (every stored period the caller may
    see), the twelve months up to ``last_month`` and its credits in that year to date."""
    shown = previous_periods(last_month, 12)
    by_pair: dict[tuple[str, str], dict[str, StoredResult]] = {}
    for result in results:
        if _is_month(result.period):
            by_pair.setdefault((result.agreement_id, result.customer), {})[result.period] = result
    strips = {}
    for (agreement, customer), months in by_pair.items():
        cells = []
        for label in shown:
            found = months.get(label)
            cells.append(MonthCell(label, "none", CreditTotal()) if found is None else
                         MonthCell(label, "met" if found.met else "missed",
                                   credit_total([found])))
        strips[agreement, customer] = AgreementStrip(
            agreement, customer, cells,
            credit_total(year_to_date(months.values(), last_month)))
    return strips

