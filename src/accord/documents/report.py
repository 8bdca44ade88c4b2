"""The monthly SLA report of one customer for one period (issue 5): a summary, each objective
with its clause, target, attainment, trend and breaches with their evidence, the credits with
the calculation shown, and the agreement version and evaluation instant the figures come from —
as HTML, PDF (WeasyPrint) or CSV (the evidence items).

Pure functions of plain inputs (:class:`ReportInputs`): the stored results, their items, the
trend points and the stored versions. The shells gather them (``accord.service.reports``, which
applies tenancy); nothing here reads the database, the network or the clock. The PDFs printed
last are kept, by the content of the page they print (:func:`report_pdf`).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import polars as pl

from accord.charts import JPEG_QUALITY, JPEG_SCALE
from accord.documents.calculation import shown_percent
from accord.documents.render import _environment, _style
from accord.documents.report_view import Report, build_report
from accord.documents.sla import Source
from accord.engine.periods import Period
from accord.io.writer import EVIDENCE_COLUMNS, evidence_csv, evidence_frame
from accord.model import Agreement
from accord.store.results import StoredResult

__all__ = [
    "CSV_COLUMNS",
    "REPORT_FORMATS",
    "TREND_PERIODS",
    "AgreementInputs",
    "ReportInputs",
    "Trend",
    "print_report",
    "render_report",
    "report_csv",
    "report_filename",
    "report_html",
    "report_key",
    "report_pdf",
    "trend_periods",
    "trends_of",
]

REPORT_FORMATS = ("pdf", "html", "csv")
TREND_PERIODS = 12

Trend = tuple[tuple[str, float | None, float | None], ...]
"""(period, attainment, goal), oldest first."""

CSV_COLUMNS = EVIDENCE_COLUMNS
"""The columns of the report's CSV: those of ``accord evaluate --format csv``."""


@dataclass(frozen=True)
class AgreementInputs:
    """One agreement's part of the report, as stored."""

    result: StoredResult
    """The current stored result; its document's objectives and credit are what is shown."""
    items: Sequence[Mapping[str, Any]]
    """The result's evidence items (DESIGN.md §6), in output order."""
    agreement: Agreement
    """The agreement version the result was computed from: the words of its targets, goals
    and credit rules."""
    source: Source
    """That version: its number, the sha256 of its text, when and by whom it was applied."""
    statement: str
    """The credit statement, as the portal words it."""
    trends: Mapping[str, Trend] = field(default_factory=dict)
    """Per objective id: the attainment over the last twelve periods, this one included."""


@dataclass(frozen=True)
class ReportInputs:
    customer: str
    period: str
    agreements: Sequence[AgreementInputs]
    """By agreement id (the order of the stored results)."""


def trend_periods(period: str, count: int = TREND_PERIODS) -> list[str]:
    """``count`` periods of ``period``'s length ending with it, oldest first: twelve months,
    quarters or years."""
    chosen = Period.parse(period)
    labels = []
    index = chosen.first.year * 12 + chosen.first.month - 1
    for _ in range(count):
        year, month = divmod(index, 12)
        labels.append(Period(chosen.first.replace(year=year, month=month + 1),
                             chosen.months).label)
        index -= chosen.months
    return labels[::-1]


def trends_of(results: Iterable[tuple[str, Mapping[str, Any]]], periods: Sequence[str]
              ) -> dict[str, Trend]:
    """The trend of each objective over ``periods``, from the (period, document) of the stored
    results of one agreement and customer (DESIGN.md §6; a period without a result, or an
    objective it did not have, is left out)."""
    by_period = dict(results)
    trends: dict[str, list[tuple[str, float | None, float | None]]] = {}
    for label in periods:
        if label not in by_period:
            continue
        for objective in by_period[label]["objectives"]:
            trends.setdefault(objective["id"], []).append(
                (label, objective.get("attainment"), objective.get("goal")))
    return {key: tuple(points) for key, points in trends.items()}


def report_filename(customer: str, period: str, fmt: str) -> str:
    """``acme-2026-03-sla-report.pdf`` (characters other than letters, digits, ``.-_`` as
    ``_``, so the name is safe in a header and on any file system)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", f"{customer}-{period}")
    return f"{safe}-sla-report.{fmt}"


def report_html(inputs: ReportInputs, report: Report | None = None) -> str:
    """A standalone HTML page: the style sheet inline, the charts as inline SVG images, no
    external resources."""
    shown = report if report is not None else build_report(inputs)
    return _page(shown, paper=False)


def _page(report: Report, *, paper: bool) -> str:
    """The report's page; ``paper``: the page WeasyPrint prints (charts as JPEG images at
    their size on A4, the trend's figures as a line of text rather than a table)."""
    template = _environment().get_template("report.html.j2")
    # The packaged style sheet is trusted text: inside <style> an escaped quote would not be one.
    return template.render(report=report, style=_style(), credit_percent=shown_percent,
                           paper=paper)


@cache
def _printing() -> str:
    """What else decides the printed PDF: the report template (a chart's markup is left out
    of the page its key is made of), the chart images' format and the printing libraries."""
    from importlib.metadata import version

    template = (files("accord.documents") / "templates" / "report.html.j2").read_text(
        encoding="utf-8")
    return (f"{template}\0jpeg scale {JPEG_SCALE} quality {JPEG_QUALITY}\0"
            f"weasyprint {version('weasyprint')}\0vl-convert {version('vl-convert-python')}")


def report_key(inputs: ReportInputs) -> str:
    """The SHA-256 (hex) that names the PDF of ``inputs``: of the page WeasyPrint prints, with
    each chart's Vega-Lite spec in place of its image, and of how it is printed
    (:func:`_printing`). Any other stored figure, version, trend point or customer, or another
    template or style, gives another key; the charts are not drawn to make it (tens of
    milliseconds, where drawing them takes seconds)."""
    report = build_report(inputs, charts=False, paper=True)
    specs = [o.chart_spec or "" for a in report.agreements for o in a.objectives]
    digest = hashlib.sha256()
    for part in (_page(report, paper=True), *specs, _printing()):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def print_report(inputs: ReportInputs) -> bytes:
    """The report printed now: an A4 PDF with page numbers, the charts as JPEG images."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # loads pango: only for a PDF

    html = _page(build_report(inputs, paper=True), paper=True)
    printed: bytes = HTML(string=html, base_url=None).write_pdf()
    return printed


class _PdfCache:
    """The PDFs printed last, by their :func:`report_key`.

    Laying out a report takes WeasyPrint seconds, and the report of a stored period is asked
    for again and again while its figures stay the same. The key is made from the stored
    figures on every request (tens of milliseconds), so a new evaluation, another agreement
    version or a change to the template gives another key: a PDF is served again only for
    the very same page.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._pdfs: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            pdf = self._pdfs.get(key)
            if pdf is not None:
                self._pdfs.move_to_end(key)
            return pdf

    def put(self, key: str, pdf: bytes) -> None:
        with self._lock:
            self._pdfs[key] = pdf
            self._pdfs.move_to_end(key)
            while len(self._pdfs) > self._size:
                self._pdfs.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pdfs.clear()


_pdfs = _PdfCache(size=32)
"""About a megabyte a report: some tens of megabytes at most."""


def report_pdf(inputs: ReportInputs, *, cached: bool = True, key: str | None = None) -> bytes:
    """An A4 PDF of the report, with page numbers. With ``cached``, the PDF of the same
    page printed before in this process is returned instead of printing it again (``key``:
    the report's :func:`report_key`, when the caller has made it)."""
    key = key if key is not None else report_key(inputs)
    if cached and (pdf := _pdfs.get(key)) is not None:
        return pdf
    printed = print_report(inputs)
    _pdfs.put(key, printed)
    return printed


def report_csv(inputs: ReportInputs) -> str:
    """The evidence items of every agreement in the report, one row each: the evidence CSV
    (:func:`accord.io.writer.evidence_csv`, the columns of :data:`CSV_COLUMNS`)."""
    frames = [evidence_frame(entry.items, {o["id"]: o["metric"]
                                           for o in entry.result.document["objectives"]})
              for entry in inputs.agreements]
    return evidence_csv(pl.concat(frames) if frames else evidence_frame([], {}))


def render_report(inputs: ReportInputs, fmt: str) -> bytes:
    """The report in ``fmt`` (one of :data:`REPORT_FORMATS`), as bytes (text is UTF-8)."""
    if fmt == "pdf":
        return report_pdf(inputs)
    if fmt == "html":
        return report_html(inputs).encode("utf-8")
    if fmt == "csv":
        return report_csv(inputs).encode("utf-8")
    raise ValueError(f"{fmt!r} is not a report format (use one of {', '.join(REPORT_FORMATS)})")
