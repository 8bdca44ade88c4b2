"""Credit statements: what a customer is entitled to for a period, with the reason, from the
stored results (DESIGN.md §5, "Credits").

    You are entitled to EUR 480.00 under section 7.2.2: 4 tickets resolved late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from accord.formatting import money
from accord.service.evaluations import list_period_results
from accord.service.tenancy import Principal
from accord.store.results import StoredResult

__all__ = ["CreditLine", "CreditStatement", "credit_statements", "statement"]

_BREACHES = {
    "resolution_time": ("ticket resolved late", "tickets resolved late"),
    "response_time": ("ticket answered late", "tickets answered late"),
    "delivery": ("delivery slot missed", "delivery slots missed"),
}


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.3f}".rstrip("0").rstrip(".") + " %"


def _share(percent: float) -> str:
    return f"{percent:.2f}".rstrip("0").rstrip(".") + " %"


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

    @property
    def entitled(self) -> bool:
        return self.percent > 0

    @property
    def text(self) -> str:
        """The statement as a sentence a customer reads."""
        if not self.entitled:
            return f"No service credit is due for {self.period}: every objective was met."
        owed = (money(self.amount, self.currency) if self.amount is not None
                else f"a credit of {_share(self.percent)} of the fee")
        reasons = "; ".join(
            (f"under section {line.clause}: " if line.clause else f"{line.objective}: ")
            + line.reason for line in self.lines)
        capped = f" (capped at {_share(self.percent)})" if self.capped else ""
        return f"You are entitled to {owed}{capped} {reasons}."

    def document(self) -> dict[str, Any]:
        return {"agreement": self.agreement, "title": self.title, "customer": self.customer,
                "period": self.period, "version": self.version, "entitled": self.entitled,
                "percent": self.percent, "amount": self.amount, "currency": self.currency,
                "capped": self.capped, "lines": [line.document() for line in self.lines],
                "text": self.text}


def _reason(objective: dict[str, Any]) -> str:
    metric = objective["metric"]
    breached = int(objective.get("breached") or 0)
    if metric in _BREACHES:
        one, many = _BREACHES[metric]
        return f"{breached} {one if breached == 1 else many}"
    if metric == "availability":
        return (f"availability {_percent(objective.get('attainment'))} against "
                f"{_percent(objective.get('goal'))}")
    value = objective.get("attainment")
    shown = "no value" if value is None else f"{value:.4g}"
    return f"{objective['id']} was {shown} against the target {objective.get('target')}"


def statement(result: StoredResult) -> CreditStatement:
    """The credit statement of one stored result."""
    document = result.document
    lines = [CreditLine(o["id"], o.get("clause"), o["metric"], float(o["credit"]["percent"]),
                        _reason(o))
             for o in document["objectives"] if float(o["credit"]["percent"]) > 0]
    credit = document["credit"]
    return CreditStatement(result.agreement_id, document.get("title"), result.customer,
                           result.period, result.version, float(credit["percent"]),
                           credit.get("amount"), credit.get("currency"), bool(credit["capped"]),
                           lines)


def credit_statements(engine: Engine, *, period: str, principal: Principal,
                      customer: str | None = None) -> list[CreditStatement]:
    """The credit statements of a stored period that the caller may see (one customer's when
    ``customer`` is given), by agreement and customer."""
    return [statement(r) for r in list_period_results(engine, principal, period=period)
            if customer is None or r.customer == customer]
