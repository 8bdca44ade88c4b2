"""Credit statements: what a customer is entitled to for a period, with the reason, from the
stored results (DESIGN.md §5, "Credits"), in the customer's voice or about the customer:

    You are entitled to EUR 480.00 under section 7.2.2: 3 tickets resolved late; 1 ticket
    past its target, still open.
    Acme Corp is entitled to EUR 480.00 under section 7.2.2: …

A ticket counted as breached while still open is never said to be resolved (or answered) late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from accord import formatting
from accord.service.evaluations import list_period_results
from accord.service.tenancy import Principal
from accord.store.results import StoredResult, objective_items

__all__ = ["CreditLine", "CreditStatement", "breach_reading", "credit_statements",
           "open_breaches", "statement"]

_TICKETS = ("resolution_time", "response_time")

_STOPPED_LATE = {
    "resolution_time": ("ticket resolved late", "tickets resolved late"),
    "response_time": ("ticket answered late", "tickets answered late"),
}
_OVER_TARGET = {
    "resolution_time": ("ticket over its resolution target", "tickets over their resolution target"),
    "response_time": ("ticket over its response target", "tickets over their response target"),
}
_STILL_OPEN = ("ticket past its target, still open", "tickets past their target, still open")
_SLOTS = ("delivery slot missed", "delivery slots missed")
_OPEN_STATES = frozenset({"running", "paused"})


def _count(count: int, words: tuple[str, str]) -> str:
    return f"{count} {words[0] if count == 1 else words[1]}"


def _share(percent: float) -> str:
    return formatting.number(percent, 2) + " %"


def open_breaches(items: Iterable[Mapping[str, Any]]) -> int:
    """How many of an objective's evidence items are tickets counted as breached while still
    open (running or paused): past their target, not resolved (or answered) at all."""
    return sum(1 for i in items if i.get("met") is False and i.get("period")
               and i.get("state") in _OPEN_STATES)


def breach_reading(metric: str, item: Mapping[str, Any]) -> str:
    """What a breached ticket's evidence row says of it: ``resolved late``, ``answered late``
    or ``past its target, still open`` (a ticket still open is never said to be resolved)."""
    if item.get("state") in _OPEN_STATES:
        return "past its target, still open" + (" (paused)" if item["state"] == "paused" else "")
    return "answered late" if metric == "response_time" else "resolved late"


@dataclass(frozen=True)
class CreditLine:
    """One objective that earned a credit, and why."""

    objective: str
    clause: str | None
    metric: str
    percent: float
    reason: str

    def document(self) -> dict[str, Any]:
        return {"objective": self.objective, "clause": self.clause, "metric": self.metric,
                "percent": self.percent, "reason": self.reason}


@dataclass(frozen=True)
class CreditStatement:
    """One agreement's credit for one customer and period."""

    agreement: str
    title: str | None
    customer: str
    period: str
    version: int
    percent: float
    amount: str | None
    currency: str | None
    capped: bool
    lines: list[CreditLine] = field(default_factory=list)
    met: bool = True
    """Whether every objective was met."""

    @property
    def entitled(self) -> bool:
        return self.percent > 0

    @property
    def text(self) -> str:
        """The statement as a sentence the customer reads ("You are entitled to …")."""
        return self.sentence()

    def sentence(self, customer_name: str | None = None) -> str:
        """The statement as a sentence: in the customer's voice ("You are entitled to …")
        without ``customer_name``; about the customer, for anyone else who reads it ("Acme
        Corp is entitled to …")."""
        if not self.entitled:
            why = ("every objective was met" if self.met else
                   "no objective missed carries a credit")
            return (f"No service credit is due for {formatting.period_name(self.period)}: "
                    f"{why}.")
        owed = (formatting.money(self.amount, self.currency) if self.amount is not None
                else f"a credit of {_share(self.percent)} of the fee")
        reasons = "; ".join(
            (f"under section {line.clause}: " if line.clause else f"for {line.objective}: ")
            + line.reason for line in self.lines)
        capped = f" (capped at {_share(self.percent)})" if self.capped else ""
        who = "You are" if customer_name is None else f"{customer_name} is"
        return f"{who} entitled to {owed}{capped} {reasons}."

    def document(self) -> dict[str, Any]:
        return {"agreement": self.agreement, "title": self.title, "customer": self.customer,
                "period": self.period, "version": self.version, "entitled": self.entitled,
                "percent": self.percent, "amount": self.amount, "currency": self.currency,
                "capped": self.capped, "lines": [line.document() for line in self.lines],
                "text": self.text}


def _reason(objective: dict[str, Any], still_open: int | None) -> str:
    """Why ``objective`` earned a credit, in words true of its result: ``still_open`` is how
    many of its breached tickets are still open (None: not known, and then the tickets are
    said to be over their target, which is true of either kind)."""
    metric = objective["metric"]
    breached = int(objective.get("breached") or 0)
    if metric in _TICKETS:
        if still_open is None:
            return _count(breached, _OVER_TARGET[metric])
        parts = [_count(breached - still_open, _STOPPED_LATE[metric])] \
            if breached > still_open else []
        if still_open:
            parts.append(_count(still_open, _STILL_OPEN))
        return " and ".join(parts) or _count(0, _STOPPED_LATE[metric])
    if metric == "delivery":
        return _count(breached, _SLOTS)
    if metric == "availability":
        return (f"availability {formatting.percent(objective.get('attainment'))} against "
                f"{formatting.goal(objective.get('goal'))}")
    value = objective.get("attainment")
    return (f"{objective['id']} was {formatting.number(value)} against the target "
            f"{objective.get('target')}")


def statement(result: StoredResult,
              still_open: Mapping[str, int] | None = None) -> CreditStatement:
    """The credit statement of one stored result. ``still_open``: per ticket objective, how
    many of its breached tickets are still open (:func:`open_breaches` of its items); without
    it, late tickets are said to be over their target (true whether they stopped or not)."""
    document = result.document
    owing = [o for o in document["objectives"] if float(o["credit"]["percent"]) > 0]
    known = still_open or {}
    lines = [CreditLine(o["id"], o.get("clause"), o["metric"], float(o["credit"]["percent"]),
                        _reason(o, known.get(o["id"]) if still_open is not None else None))
             for o in owing]
    credit = document["credit"]
    return CreditStatement(result.agreement_id, document.get("title"), result.customer,
                           result.period, result.version, float(credit["percent"]),
                           credit.get("amount"), credit.get("currency"), bool(credit["capped"]),
                           lines, bool(document.get("met", result.met)))


def credit_statements(engine: Engine, *, period: str, principal: Principal,
                      customer: str | None = None) -> list[CreditStatement]:
    """The credit statements of a stored period that the caller may see (one customer's when
    ``customer`` is given), by agreement and customer."""
    return [_statement_of(engine, r)
            for r in list_period_results(engine, principal, period=period)
            if customer is None or r.customer == customer]


def _statement_of(engine: Engine, result: StoredResult) -> CreditStatement:
    """The statement of ``result``, its late tickets told apart (late, or still open) from
    the evidence of the ticket objectives that earned a credit (read only for those)."""
    tickets = [o["id"] for o in result.document["objectives"]
               if o["metric"] in _TICKETS and float(o["credit"]["percent"]) > 0]
    found = objective_items(engine, result.id, tickets)
    return statement(result, {key: open_breaches(items) for key, items in found.items()})
