"""The monthly SLA report as plain data: what :mod:`accord.documents.report` renders.

Every figure is the stored one (DESIGN.md §6): attainment, goal, counts and credits come from
the stored result's document, the breaches from its items; the agreement version supplies only
the words (targets, goals, credit rules). Text is plain: the renderers escape it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.documents.calculation import (
    CreditCalculation,
    credit_calculation,
    shown_percent,
    stored_percent,
)
from accord.documents.measures import objective_terms
from accord.formatting import duration, instant, money, percent, period_range, ticket_outcome
from accord.model import Metric

if TYPE_CHECKING:
    from accord.documents.report import AgreementInputs, ReportInputs

__all__ = ["AgreementReport", "Evidence", "ObjectiveReport", "Report", "build_report"]

_METRICS = {"response_time": "response time", "resolution_time": "resolution time",
            "availability": "availability", "delivery": "delivery on schedule", "kpi": "KPI"}
_TYPES = {"sla": "SLA", "ola": "OLA", "uc": "UC"}


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
    """The trend chart as a ``data:image/svg+xml`` URI (on paper ``data:image/jpeg``),
    rendered offline, or None (not drawn, or no trend)."""
    chart_size: tuple[int, int] | None
    """On paper, the (width, height) to show the chart at in CSS pixels; else None."""
    chart_spec: str | None
    """The chart's Vega-Lite spec as JSON, drawn or not (None without a trend): what the
    chart shows, to tell printed reports apart without drawing it."""
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
        return percent(value)
    return "—" if value is None else f"{value:.4g}"


def _evidence(metric: str, items: Sequence[Mapping[str, Any]], zone: str | None
              ) -> Evidence | None:
    missed = [i for i in items if i.get("met") is False]
    if metric in (Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME):
        response = metric == Metric.RESPONSE_TIME
        return Evidence("Tickets that missed their target",
                        ("Ticket", "What happened", "Elapsed", "Target", "Due"),
                        tuple((str(i.get("ticket")),
                               ticket_outcome(i.get("state"), False,
                                                         response=response),
                               duration(i.get("elapsed_s")), duration(i.get("target_s")),
                               instant(i.get("due_at"), zone)) for i in missed))
    if metric == Metric.DELIVERY:
        return Evidence("Delivery slots missed",
                        ("Slot", "Window ends", "Delivery", "Delivered"),
                        tuple((instant(i.get("slot"), zone),
                               instant(i.get("window_end"), zone),
                               str(i.get("delivery") or "—"),
                               instant(i.get("delivered_at"), zone) if i.get("delivered_at")
                               else "not delivered in the window") for i in missed))
    if metric == Metric.AVAILABILITY:
        return Evidence("Outages counted as downtime",
                        ("Incident", "Kind", "From", "To", "Downtime counted"),
                        tuple((str(i.get("incident")), str(i.get("kind") or "—"),
                               instant(i.get("start"), zone),
                               instant(i.get("end"), zone) if i.get("end")
                               else "still going",
                               duration(i.get("downtime_s"))) for i in missed))
    return None


PRINT_CHART = (580, 90)
"""Width and height of a trend chart's plot on paper, in CSS pixels: with its title and axes
as wide as the A4 text and about 40 mm high."""


def _chart_spec(title: str, trend: Sequence[tuple[str, float | None, float | None]],
                ratio: bool, *, paper: bool) -> str | None:
    """The trend chart's Vega-Lite spec as JSON (sorted keys), or None without a trend."""
    if not trend:
        return None
    from accord.charts import trend_chart

    width, height = PRINT_CHART if paper else (480, 160)
    return json.dumps(trend_chart(title, trend, percent=ratio, width=width, height=height),
                      sort_keys=True)


def _chart(spec: str | None, *, paper: bool) -> tuple[str, tuple[int, int] | None] | None:
    """The chart of ``spec`` as a data URI and, on paper, the size to show it at (CSS
    pixels): an SVG on screen, a JPEG on paper. Drawn offline by vl-convert."""
    if spec is None:
        return None
    from accord.charts import JPEG_SCALE, to_jpeg, to_svg  # vl-convert: loaded only to draw

    if paper:
        jpeg = to_jpeg(json.loads(spec))
        width, height = _jpeg_size(jpeg)
        return ("data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii"),
                (round(width / JPEG_SCALE), round(height / JPEG_SCALE)))
    svg = to_svg(json.loads(spec))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode(
        "ascii"), None


def _jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the JPEG's start-of-frame segment."""
    at = 2  # after the start-of-image marker
    while at + 9 <= len(jpeg):
        marker, length = jpeg[at + 1], int.from_bytes(jpeg[at + 2:at + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return (int.from_bytes(jpeg[at + 7:at + 9], "big"),
                    int.from_bytes(jpeg[at + 5:at + 7], "big"))
        at += 2 + length
    raise ValueError("not a JPEG image: no start-of-frame segment")


def _objective(entry: AgreementInputs, stored: Mapping[str, Any], *, charts: bool,
               paper: bool, zone: str | None) -> ObjectiveReport:
    key = stored["id"]
    model = entry.agreement.objectives.get(key)
    terms = None if model is None else objective_terms(entry.agreement, key, model)
    goal = (terms.goal if terms is not None else _value(stored, stored.get("goal")))
    target = terms.target if terms is not None else (str(stored.get("target") or "—"),)
    detail = None
    if stored["metric"] == "availability" and stored.get("measured_s") is not None:
        detail = (f"{duration(stored.get('downtime_s') or 0)} down in "
                  f"{duration(stored['measured_s'])} measured")
    trend = entry.trends.get(key, ())
    items = [i for i in entry.items if i.get("objective") == key]
    spec = _chart_spec(f"{key}: attainment by period", trend, _is_ratio(stored), paper=paper)
    chart = _chart(spec, paper=paper) if charts else None
    return ObjectiveReport(
        key, stored.get("clause") or "—", _METRICS.get(stored["metric"], stored["metric"]),
        tuple(target), goal, _value(stored, stored.get("attainment")), bool(stored["met"]),
        int(stored.get("counted") or 0), int(stored.get("breached") or 0),
        int(stored.get("pending") or 0),
        shown_percent(stored_percent(stored["credit"]["percent"])), detail,
        tuple((label, _value(stored, a), _value(stored, g)) for label, a, g in trend),
        None if chart is None else chart[0], None if chart is None else chart[1], spec,
        _evidence(stored["metric"], items, zone))


def _credit_words(calculation: CreditCalculation) -> str:
    if calculation.amount is not None and calculation.currency is not None:
        return money(calculation.amount, calculation.currency)
    return f"{shown_percent(calculation.percent)} of the fee"


def _agreement(entry: AgreementInputs, inputs: ReportInputs, *, charts: bool, paper: bool
               ) -> AgreementReport:
    result = entry.result
    document = result.document
    source = entry.source
    parties = inputs.parties
    zone = inputs.zone_of(entry.agreement)
    version = f"{result.version}"
    if source.applied_at is not None:
        version += f", applied {instant(source.applied_at, zone)}"
        version += f" by {source.applied_by}" if source.applied_by else ""
    facts = (
        ("Agreement", result.agreement_id),
        ("Provider", parties.name(entry.agreement.provider)),
        ("Customer", parties.name(result.customer)),
        ("Period", period_range(document["period"]["start"],
                                           document["period"]["end"], zone)),
        ("Version", version),
        ("Content hash", f"sha256 {source.content_hash}"),
        ("Evaluated as of", instant(result.at, zone)),
        ("Evaluated", f"{instant(result.evaluated_at, zone)} by {result.evaluated_by}"),
    )
    calculation = credit_calculation(entry.agreement, document, inputs.period, entry.statement)
    return AgreementReport(
        result.agreement_id, f"agreement-{result.agreement_id}",
        document.get("title") or result.agreement_id,
        _TYPES.get(str(document.get("type")), str(document.get("type") or "").upper()),
        result.customer, bool(result.met), _credit_words(calculation), facts,
        tuple(_objective(entry, o, charts=charts, paper=paper, zone=zone)
              for o in document["objectives"]),
        calculation)


def build_report(inputs: ReportInputs, *, charts: bool = True, paper: bool = False) -> Report:
    """The report of ``inputs``; ``charts`` draws the trend charts (vl-convert, offline):
    SVG images for the screen, or with ``paper`` JPEG images sized for the A4 page."""
    agreements = tuple(_agreement(a, inputs, charts=charts, paper=paper)
                       for a in inputs.agreements)
    summary = tuple(
        (a.id, a.title, "met" if a.met else "missed",
         f"{sum(o.met for o in a.objectives)} of {len(a.objectives)}", a.credit)
        for a in agreements)
    latest = max((a.result.at for a in inputs.agreements), default=None)
    customer = inputs.parties.name(inputs.customer)
    zone = inputs.zone_of(inputs.agreements[0].agreement if inputs.agreements else None)
    first = inputs.agreements[0].result.document["period"] if inputs.agreements else None
    days = (period_range(first["start"], first["end"], zone) if first is not None
            else inputs.period)
    return Report(
        title=f"Monthly SLA report: {customer}",
        subtitle=f"Service levels and service credits of {customer} for {days}, from the "
                 "stored evaluation",
        customer=customer, period=inputs.period, summary=summary,
        agreements=agreements,
        footer=f"Accord · {customer} · period {inputs.period} · figures as stored, evaluated "
               f"as of {instant(latest, zone)}")
