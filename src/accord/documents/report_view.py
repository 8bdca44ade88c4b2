"""The monthly SLA report as plain data: what :mod:`accord.documents.report` renders.

Every figure is the stored one (DESIGN.md §6): attainment, goal, counts and credits come from
the stored result's document, the breaches from its items; the agreement version supplies only
the words (targets, goals, credit rules). Text is plain: the renderers escape it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from accord.documents.calculation import (
    CreditCalculation,
    credit_calculation,
    shown_percent,
    stored_percent,
)
from accord.documents.measures import objective_terms
from accord.documents.words import money
from accord.model import Metric

if TYPE_CHECKING:
    from accord.documents.report import AgreementInputs, ReportInputs

__all__ = ["AgreementReport", "Evidence", "ObjectiveReport", "Report", "build_report",
           "instant_words", "share_words"]

_METRICS = {"response_time": "response time", "resolution_time": "resolution time",
            "availability": "availability", "delivery": "delivery on schedule", "kpi": "KPI"}
_TYPES = {"sla": "SLA", "ola": "OLA", "uc": "UC"}


def share_words(value: float | None) -> str:
    """A fraction as a percentage with up to two decimals: ``0.89473`` → "89.47 %"."""
    if value is None:
        return "—"
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + " %"


def instant_words(value: datetime | str | None) -> str:
    """An instant in UTC to the minute: "2026-03-17 14:10 UTC"."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: float | None) -> str:
    """``5400`` → "1 h 30 min" (to the minute; under a minute, in seconds)."""
    if seconds is None:
        return "—"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{rest // 60} min" if rest // 60 else ""]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Evidence:
    """The breaches of an objective: one row per item missed (a ticket, a slot, an outage)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class ObjectiveReport:
    id: str
    clause: str
    metric: str
    target: tuple[str, ...]
    goal: str
    attainment: str
    met: bool
    counted: int
    breached: int
    pending: int
    credit: str
    detail: str | None
    """Downtime against measured time (availability), or None."""
    trend: tuple[tuple[str, str, str], ...]
    """(period, attainment, goal) over the last twelve periods, oldest first."""
    chart: str | None
    """The trend chart as a ``data:image/svg+xml`` URI (rendered offline), or None."""
    evidence: Evidence | None


@dataclass(frozen=True, slots=True)
class AgreementReport:
    id: str
    anchor: str
    title: str
    kind: str
    customer: str
    met: bool
    credit: str
    facts: tuple[tuple[str, str], ...]
    """The agreement version and the evaluation the figures come from."""
    objectives: tuple[ObjectiveReport, ...]
    calculation: CreditCalculation


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    subtitle: str
    customer: str
    period: str
    summary: tuple[tuple[str, str, str, str, str], ...]
    """(agreement, title, result, objectives met, credit) per agreement."""
    agreements: tuple[AgreementReport, ...]
    footer: str


def _is_ratio(stored: Mapping[str, Any]) -> bool:
    return stored["metric"] != "kpi" or str(stored.get("target") or "").endswith("%")


def _value(stored: Mapping[str, Any], value: float | None) -> str:
    if _is_ratio(stored):
        return share_words(value)
    return "—" if value is None else f"{value:.4g}"


def _evidence(metric: str, items: Sequence[Mapping[str, Any]]) -> Evidence | None:
    missed = [i for i in items if i.get("met") is False]
    if metric in (Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME):
        return Evidence("Tickets that missed their target",
                        ("Ticket", "State", "Elapsed", "Target", "Due"),
                        tuple((str(i.get("ticket")), str(i.get("state") or "—"),
                               _duration(i.get("elapsed_s")), _duration(i.get("target_s")),
                               instant_words(i.get("due_at"))) for i in missed))
    if metric == Metric.DELIVERY:
        return Evidence("Delivery slots missed",
                        ("Slot", "Window ends", "Delivery", "Delivered"),
                        tuple((instant_words(i.get("slot")), instant_words(i.get("window_end")),
                               str(i.get("delivery") or "—"),
                               instant_words(i.get("delivered_at")) if i.get("delivered_at")
                               else "not delivered in the window") for i in missed))
    if metric == Metric.AVAILABILITY:
        return Evidence("Outages counted as downtime",
                        ("Incident", "Kind", "From", "To", "Downtime counted"),
                        tuple((str(i.get("incident")), str(i.get("kind") or "—"),
                               instant_words(i.get("start")),
                               instant_words(i.get("end")) if i.get("end") else "still going",
                               _duration(i.get("downtime_s"))) for i in missed))
    return None


def _chart(title: str, trend: Sequence[tuple[str, float | None, float | None]],
           ratio: bool) -> str | None:
    if not trend:
        return None
    from accord.charts import to_svg, trend_chart  # vl-convert: loaded only to draw

    svg = to_svg(trend_chart(title, trend, percent=ratio, width=480))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _objective(entry: AgreementInputs, stored: Mapping[str, Any], *, charts: bool
               ) -> ObjectiveReport:
    key = stored["id"]
    model = entry.agreement.objectives.get(key)
    terms = None if model is None else objective_terms(entry.agreement, key, model)
    goal = (terms.goal if terms is not None else _value(stored, stored.get("goal")))
    target = terms.target if terms is not None else (str(stored.get("target") or "—"),)
    detail = None
    if stored["metric"] == "availability" and stored.get("measured_s") is not None:
        detail = (f"{_duration(stored.get('downtime_s') or 0)} down in "
                  f"{_duration(stored['measured_s'])} measured")
    trend = entry.trends.get(key, ())
    items = [i for i in entry.items if i.get("objective") == key]
    return ObjectiveReport(
        key, stored.get("clause") or "—", _METRICS.get(stored["metric"], stored["metric"]),
        tuple(target), goal, _value(stored, stored.get("attainment")), bool(stored["met"]),
        int(stored.get("counted") or 0), int(stored.get("breached") or 0),
        int(stored.get("pending") or 0),
        shown_percent(stored_percent(stored["credit"]["percent"])), detail,
        tuple((label, _value(stored, a), _value(stored, g)) for label, a, g in trend),
        _chart(f"{key}: attainment by period", trend, _is_ratio(stored)) if charts else None,
        _evidence(stored["metric"], items))


def _credit_words(calculation: CreditCalculation) -> str:
    if calculation.amount is not None and calculation.currency is not None:
        return money(calculation.amount, calculation.currency)
    return f"{shown_percent(calculation.percent)} of the fee"


def _agreement(entry: AgreementInputs, period: str, *, charts: bool) -> AgreementReport:
    result = entry.result
    document = result.document
    source = entry.source
    version = f"{result.version}"
    if source.applied_at is not None:
        version += f", applied {instant_words(source.applied_at)}"
        version += f" by {source.applied_by}" if source.applied_by else ""
    facts = (
        ("Agreement", result.agreement_id),
        ("Provider", entry.agreement.provider),
        ("Customer", result.customer),
        ("Period", f"{period}: {instant_words(document['period']['start'])} to "
                   f"{instant_words(document['period']['end'])}"),
        ("Version", version),
        ("Content hash", f"sha256 {source.content_hash}"),
        ("Evaluated as of", instant_words(result.at)),
        ("Evaluated", f"{instant_words(result.evaluated_at)} by {result.evaluated_by}"),
    )
    calculation = credit_calculation(entry.agreement, document, period, entry.statement)
    return AgreementReport(
        result.agreement_id, f"agreement-{result.agreement_id}",
        document.get("title") or result.agreement_id,
        _TYPES.get(str(document.get("type")), str(document.get("type") or "").upper()),
        result.customer, bool(result.met), _credit_words(calculation), facts,
        tuple(_objective(entry, o, charts=charts) for o in document["objectives"]),
        calculation)


def build_report(inputs: ReportInputs, *, charts: bool = True) -> Report:
    """The report of ``inputs``; ``charts`` draws the trend charts (vl-convert, offline)."""
    agreements = tuple(_agreement(a, inputs.period, charts=charts) for a in inputs.agreements)
    summary = tuple(
        (a.id, a.title, "met" if a.met else "missed",
         f"{sum(o.met for o in a.objectives)} of {len(a.objectives)}", a.credit)
        for a in agreements)
    latest = max((a.result.at for a in inputs.agreements), default=None)
    return Report(
        title=f"Monthly SLA report: {inputs.customer}, {inputs.period}",
        subtitle=f"Service levels and service credits of {inputs.customer} for "
                 f"{inputs.period}, from the stored evaluation",
        customer=inputs.customer, period=inputs.period, summary=summary,
        agreements=agreements,
        footer=f"Accord · customer {inputs.customer} · period {inputs.period} · figures as "
               f"stored, evaluated as of {instant_words(latest)}")
