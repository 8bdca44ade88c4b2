"""The monthly SLA report: its figures are the stored ones, its credit calculation adds up to
the stored amount, and `accord report` writes it as PDF, HTML and CSV from a database (SQLite
and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from accord import formatting
from accord.documents import Source
from accord.documents import report as report_module
from accord.documents.calculation import credit_calculation
from accord.documents.report import (
    CSV_COLUMNS,
    AgreementInputs,
    ReportInputs,
    report_csv,
    report_filename,
    report_html,
    report_pdf,
    trend_periods,
    trends_of,
)
from accord.documents.report_view import build_report
from accord.errors import NotFoundError
from accord.formatting import money
from accord.service.reports import report_inputs
from accord.service.tenancy import Principal
from accord.store.results import StoredResult, list_results
from tests.documents.conftest import agreement_of, html_tables
from tests.service.conftest import Workspace, build_workspace

TINY = """\
accord: 1
id: tiny
title: Tiny support
type: sla
provider: prov
customer: cust
services: [desk]
effective: {from: 2026-01-01, to: 2026-12-31}
timezone: Europe/Berlin
fee: {amount: 1000, currency: EUR, per: quarter}
credit_cap: 8%
objectives:
  response:
    clause: "1.1"
    metric: response_time
    target: 4h
    compliance: 95%
    credits:
      - {below: 95%, credit: 5%}
      - {below: 80%, credit: 10%}
    credit_per_breach: 1%
  csat:
    clause: "1.2"
    metric: kpi
    measure: csat
    aggregate: mean
    target: ">= 4.5"
    credits:
      - {below: 4.0, credit: 2%}
  uptime:
    metric: availability
    target: 99%
"""


def tiny_document(*, attainment: float, breached: int, response_percent: float,
                  csat: float, csat_percent: float, percent: float, amount: str,
                  capped: bool) -> dict[str, Any]:
    return {
        "id": "tiny", "customer": "cust", "title": "Tiny support", "type": "sla",
        "period": {"start": "2026-02-28T23:00:00Z", "end": "2026-03-31T22:00:00Z"},
        "met": False,
        "objectives": [
            {"id": "response", "metric": "response_time", "clause": "1.1",
             "attainment": attainment, "goal": 0.95, "met": attainment >= 0.95, "counted": 30,
             "breached": breached, "pending": 0, "credit": {"percent": response_percent}},
            {"id": "csat", "metric": "kpi", "clause": "1.2", "attainment": csat, "goal": 4.5,
             "met": csat >= 4.5, "counted": 10, "breached": 0, "pending": 0,
             "credit": {"percent": csat_percent}, "target": ">= 4.5"},
            {"id": "uptime", "metric": "availability", "clause": None, "attainment": 1.0,
             "goal": 0.99, "met": True, "counted": 0, "breached": 0, "pending": 0,
             "credit": {"percent": 0.0}, "downtime_s": 0, "measured_s": 2_674_800},
        ],
        "credit": {"percent": percent, "amount": amount, "currency": "EUR", "capped": capped},
    }


# --- the credit calculation, on an agreement written here ---------------------------------


def test_the_calculation_shows_tier_and_breaches_the_sum_the_cap_and_the_fee() -> None:
    document = tiny_document(attainment=0.9, breached=3, response_percent=8.0, csat=3.5,
                             csat_percent=2.0, percent=8.0, amount="26.67", capped=True)
    calculation = credit_calculation(agreement_of(TINY), document, "2026-03", "the sentence")
    response, csat = calculation.parts  # uptime has no credits: not a part
    assert (response.objective, response.clause) == ("response", "1.1")
    assert response.rules == (("below 95%", Decimal(5)),
                              ("3 × 1% (each ticket that misses its target)", Decimal(3)))
    assert response.percent == 8
    assert response.result == "share of tickets on time 90 %"
    assert csat.rules == (("below 4", Decimal(2)),)
    assert csat.result == "mean of csat 3.5"
    assert (calculation.total, calculation.cap, calculation.capped, calculation.percent) == (
        10, 8, True, 8)
    # A quarterly fee: a month of it is a third, and the amount is rounded once, at the end.
    assert calculation.fee is not None
    assert calculation.fee_words == "EUR 1,000.00 per quarter × 1 month of 3 = EUR 333.33 (2026-03)"
    assert calculation.amount == Decimal("26.67")
    assert calculation.checked
    assert calculation.lines() == (
        ("Sum of the objectives' credits", "10 %"),
        ("Capped at the agreement's cap", "8 %"),
        ("× the fee for the period", calculation.fee_words),
        ("= the credit", "8 % × EUR 333.33 = EUR 26.67"),
    )


def test_an_attainment_exactly_at_a_threshold_earns_no_tier() -> None:
    # The engine compares exact fractions: 95 % is not below 95 %, though the stored float
    # 0.95 is a hair under it. The stored percentage (breaches only) decides.
    document = tiny_document(attainment=0.95, breached=2, response_percent=2.0, csat=4.6,
                             csat_percent=0.0, percent=2.0, amount="6.67", capped=False)
    calculation = credit_calculation(agreement_of(TINY), document, "2026-03", "")
    response = calculation.parts[0]
    assert response.rules == (("no tier applies", Decimal(0)),
                              ("2 × 1% (each ticket that misses its target)", Decimal(2)))
    assert calculation.parts[1].rules == (("no tier applies", Decimal(0)),)
    assert calculation.lines()[1] == ("Cap (not reached)", "8 %")
    assert calculation.checked


def test_stored_figures_the_rules_do_not_give_are_flagged_not_hidden() -> None:
    document = tiny_document(attainment=0.9, breached=3, response_percent=7.0, csat=4.6,
                             csat_percent=0.0, percent=7.0, amount="23.33", capped=False)
    calculation = credit_calculation(agreement_of(TINY), document, "2026-03", "")
    assert calculation.parts[0].percent == 7  # as stored
    assert not calculation.checked


def _tiny_inputs(document: dict[str, Any]) -> ReportInputs:
    agreement = agreement_of(TINY)
    at = datetime(2026, 4, 1, tzinfo=UTC)
    result = StoredResult(id=1, agreement_id="tiny", customer="cust", period="2026-03",
                          version=2, at=at, evaluated_at=at, evaluated_by="tests", current=True,
                          met=False, credit_percent="8.0", credit_amount="26.67",
                          currency="EUR", document=document)
    items = [{"agreement": "tiny", "customer": "cust", "objective": "response",
              "ticket": f"T-{n}", "state": "stopped", "elapsed_s": 20_000, "target_s": 14_400,
              "due_at": "2026-03-02T13:00:00Z", "met": False, "period": "2026-03"}
             for n in (1, 2, 3)]
    items.append({"agreement": "tiny", "customer": "cust", "objective": "response",
                  "ticket": "T-4", "state": "running", "elapsed_s": 600, "target_s": 14_400,
                  "due_at": None, "met": True, "period": None})
    return ReportInputs("cust", "2026-03", [AgreementInputs(
        result, items, agreement, Source("ab" * 32, version=2, applied_at=at, applied_by="me"),
        "You are entitled to EUR 26.67.",
        {"response": (("2026-02", 1.0, 0.95), ("2026-03", 0.9, 0.95))})])


def test_the_html_report_lists_each_breach_with_its_evidence_and_no_external_resource() -> None:
    document = tiny_document(attainment=0.9, breached=3, response_percent=8.0, csat=3.5,
                             csat_percent=2.0, percent=8.0, amount="26.67", capped=True)
    html = report_html(_tiny_inputs(document))
    tables = html_tables(html)
    assert tables["evidence-tiny-response"][1:] == [
        [f"T-{n}", "responded to late", "5 h 33 min", "4 h", "2026-03-02 14:00 CET"] for n in (1, 2, 3)]
    assert tables["trend-tiny-response"] == [["2026-02", "2026-03"], ["100 %", "90 %"]]
    assert tables["summary"][1:] == [["tiny", "Tiny support", "missed", "1 of 3", "EUR 26.67"]]
    assert "sha256 " + "ab" * 32 in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "http://" not in html
    assert "https://" not in html
    # on paper, the trend's figures are one line under the chart
    assert "Attainment by period: 2026-02 100 % · 2026-03 90 %</p>" in html


def _counting_weasyprint(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page WeasyPrint is asked to print from now on, in a fresh PDF cache."""
    import weasyprint

    printed: list[str] = []
    real = weasyprint.HTML

    def counted(*, string: str, base_url: str | None) -> Any:
        printed.append(string)
        return real(string=string, base_url=base_url)

    monkeypatch.setattr(weasyprint, "HTML", counted)
    monkeypatch.setattr(report_module, "_pdfs", report_module._PdfCache(size=4))
    return printed


def test_the_pdf_shows_every_breach_with_its_evidence_and_the_trend(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _counting_weasyprint(monkeypatch)
    document = tiny_document(attainment=0.9, breached=3, response_percent=8.0, csat=3.5,
                             csat_percent=2.0, percent=8.0, amount="26.67", capped=True)
    text = _text(report_pdf(_tiny_inputs(document)))
    for n in (1, 2, 3):
        assert f"T-{n} responded to late 5 h 33 min 4 h 2026-03-02 14:00 CET" in text
    assert "T-4" not in text  # on time: in the CSV, not among the breaches
    assert "Attainment by period: 2026-02 100 % · 2026-03 90 %" in text
    assert "8 % × EUR 333.33 = EUR 26.67" in text
    assert "Version 2, applied 2026-04-01 02:00 CEST by me" in text
    assert "sha256" + "ab" * 32 in text.replace(" ", "")  # the hash wraps in its cell


def test_the_pdf_of_the_same_page_is_printed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    printed = _counting_weasyprint(monkeypatch)
    document = tiny_document(attainment=0.9, breached=3, response_percent=8.0, csat=3.5,
                             csat_percent=2.0, percent=8.0, amount="26.67", capped=True)
    first = report_pdf(_tiny_inputs(document))
    assert len(printed) == 1
    assert report_pdf(_tiny_inputs(document)) == first
    assert len(printed) == 1
    # another figure is another page: printed anew, never the stale PDF
    changed = tiny_document(attainment=0.9, breached=3, response_percent=8.0, csat=3.5,
                            csat_percent=2.0, percent=8.0, amount="26.68", capped=True)
    other = report_pdf(_tiny_inputs(changed))
    assert len(printed) == 2
    assert printed[1] != printed[0]
    assert "EUR 26.68" in _text(other)
    assert "EUR 26.68" not in _text(first)
    # without the cache the page is printed again
    report_pdf(_tiny_inputs(document), cached=False)
    assert len(printed) == 3
    assert printed[2] == printed[0]


def test_the_pdf_cache_keeps_the_most_recently_used() -> None:
    cache = report_module._PdfCache(size=2)
    cache.put("a", b"A")
    cache.put("b", b"B")
    assert cache.get("a") == b"A"  # now the most recent
    cache.put("c", b"C")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"A", None, b"C")
    cache.clear()
    assert cache.get("a") is None


def test_the_csv_has_every_item_in_the_columns_of_evaluate() -> None:
    document = tiny_document(attainment=0.9, breached=3, response_percent=8.0, csat=3.5,
                             csat_percent=2.0, percent=8.0, amount="26.67", capped=True)
    rows = list(csv.DictReader(io.StringIO(report_csv(_tiny_inputs(document)))))
    assert [r["ticket"] for r in rows] == ["T-1", "T-2", "T-3", "T-4"]
    assert rows[3] == {**dict.fromkeys(CSV_COLUMNS, ""), "agreement": "tiny", "customer": "cust",
                       "objective": "response", "metric": "response_time", "ticket": "T-4",
                       "state": "running", "elapsed_s": "600", "target_s": "14400",
                       "met": "true"}


@pytest.mark.parametrize(("period", "first", "last"), [
    ("2026-03", "2025-04", "2026-03"),
    ("2026-12", "2026-01", "2026-12"),
    ("2026-Q1", "2023-Q2", "2026-Q1"),
    ("2026", "2015", "2026"),
])
def test_the_trend_covers_twelve_periods_of_the_same_length(period: str, first: str,
                                                            last: str) -> None:
    labels = trend_periods(period)
    assert (len(labels), labels[0], labels[-1]) == (12, first, last)
    assert len(set(labels)) == 12


def test_a_report_file_name_is_safe_in_a_header() -> None:
    assert report_filename("acme", "2026-03", "pdf") == "acme-2026-03-sla-report.pdf"
    assert report_filename('a"b/c', "2026", "csv") == "a_b_c-2026-sla-report.csv"


# --- the report of the examples' workspace, from the database -----------------------------


@pytest.fixture(scope="module")
def stored(module_db_url: str) -> Iterator[Workspace]:
    built = build_workspace(module_db_url)
    try:
        yield built
    finally:
        built.engine.dispose()


def _acme(stored: Workspace, period: str) -> list[StoredResult]:
    return [r for r in list_results(stored.engine, period) if r.customer == "acme"]


@pytest.mark.parametrize("period", ["2026-02", "2026-03"])
def test_the_report_shows_the_stored_figures(stored: Workspace, period: str) -> None:
    inputs = report_inputs(stored.engine, Principal.system(), customer="acme", period=period)
    report = build_report(inputs, charts=False)
    results = _acme(stored, period)
    assert [a.id for a in report.agreements] == [r.agreement_id for r in results]
    assert len(results) == 4
    for shown, result, entry in zip(report.agreements, results, inputs.agreements, strict=True):
        assert shown.credit == money(Decimal(result.credit_amount or "x"), result.currency or "")
        assert shown.met is result.met
        facts = dict(shown.facts)
        assert facts["Version"].startswith(f"{result.version}, applied ")
        # in the customer's zone (Acme reads Berlin time), the zone named
        assert facts["Evaluated as of"] == formatting.instant(result.at, "Europe/Berlin")
        assert facts["Customer"] == "Acme Corp"
        for objective, stored_objective in zip(shown.objectives,
                                               result.document["objectives"], strict=True):
            assert objective.clause == stored_objective["clause"]
            assert objective.breached == stored_objective["breached"]
            assert objective.counted == stored_objective["counted"]
            if stored_objective["metric"] != "kpi":
                assert objective.attainment == formatting.percent(stored_objective["attainment"])
                assert objective.evidence is not None
                # each breach counted is one row of evidence
                assert len(objective.evidence.rows) == stored_objective["breached"]
                missed = [i for i in entry.items if i["objective"] == objective.id
                          and i["met"] is False]
                assert len(missed) == stored_objective["breached"]
            assert objective.trend[-1][0] == period


@pytest.mark.parametrize("period", ["2026-02", "2026-03"])
def test_the_credit_calculation_adds_up_to_the_stored_amount(stored: Workspace,
                                                             period: str) -> None:
    inputs = report_inputs(stored.engine, Principal.system(), customer="acme", period=period)
    for agreement, result in zip(build_report(inputs, charts=False).agreements,
                                 _acme(stored, period), strict=True):
        calculation = agreement.calculation
        assert calculation.checked, agreement.id
        assert calculation.total == sum(p.percent for p in calculation.parts)
        for part in calculation.parts:
            assert sum(share for _, share in part.rules) == part.percent
        assert calculation.percent == min(calculation.total, calculation.cap)
        assert calculation.percent == Decimal(result.credit_percent)
        assert calculation.fee is not None
        amount = (calculation.percent / 100 * calculation.fee).quantize(Decimal("0.01"))
        assert amount == Decimal(result.credit_amount or "x") == calculation.amount


def test_the_northwind_credit_of_march_is_capped_at_25_percent(stored: Workspace) -> None:
    inputs = report_inputs(stored.engine, Principal.system(), customer="acme", period="2026-03")
    html = report_html(inputs, build_report(inputs, charts=False))
    rows = html_tables(html)["calculation-northwind-acme-billing"]
    assert rows == [["Sum of the objectives' credits", "33 %"],
                    ["Capped at the agreement's cap", "25 %"],
                    ["× the fee for the period", "EUR 18,500.00 (2026-03)"],
                    ["= the credit", "25 % × EUR 18,500.00 = EUR 4,625.00"]]
    parts = html_tables(html)["credit-northwind-acme-billing"]
    assert [(row[0], row[-1]) for row in parts[1:]] == [
        ("7.2.1", "3 %"), ("7.2.2", "6 %"), ("7.2.3", "10 %"), ("7.2.4", "2 %"), ("7.3", "10 %"),
        ("7.5", "2 %")]
    assert parts[2][3] == "3 × 2% (each ticket that misses its target): 6 %"


def test_no_stored_result_for_the_period_says_to_evaluate_it(stored: Workspace) -> None:
    with pytest.raises(NotFoundError) as raised:
        report_inputs(stored.engine, Principal.system(), customer="acme", period="2026-05")
    assert "accord evaluate --period 2026-05" in str(raised.value.problems[0])


def test_the_trend_holds_each_period_evaluated(stored: Workspace) -> None:
    history = [r for r in list_results(stored.engine) if r.customer == "acme"
               and r.agreement_id == "northwind-acme-billing"]
    trends = trends_of([(r.period, r.document) for r in history], trend_periods("2026-03"))
    february, march = trends["first-response"]
    assert (february[0], march[0]) == ("2026-02", "2026-03")
    assert march[1] == history[-1].document["objectives"][0]["attainment"]


# --- `accord report` as a user runs it ----------------------------------------------------


def accord(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          cwd=cwd, timeout=300, check=False)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_accord_report_writes_the_pdf_of_the_stored_period(stored: Workspace,
                                                           tmp_path: Path) -> None:
    done = accord("report", "--customer", "acme", "--period", "2026-03", "--db", stored.url,
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr.decode().strip() == "wrote acme-2026-03-sla-report.pdf"
    pdf = (tmp_path / "acme-2026-03-sla-report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "Monthly SLA report: Acme Corp" in text
    assert "1–31 March 2026 (Europe/Berlin)" in text
    inputs = report_inputs(stored.engine, Principal.system(), customer="acme", period="2026-03")
    for entry in inputs.agreements:
        assert " ".join(entry.statement.split()) in text
        for objective in entry.result.document["objectives"]:
            assert objective["clause"] in text
    assert "EUR 4,625.00" in text
    assert "25 % × EUR 18,500.00 = EUR 4,625.00" in text
    # every breach, with its evidence
    report = build_report(inputs, charts=False)
    rows = [row for a in report.agreements for o in a.objectives if o.evidence
            for row in o.evidence.rows]
    assert len(rows) == sum(1 for a in inputs.agreements for i in a.items
                            if i.get("met") is False) > 0
    for row in rows:
        assert " ".join(row) in text


def test_accord_report_prints_the_evidence_as_csv(stored: Workspace, tmp_path: Path) -> None:
    done = accord("report", "--customer", "acme", "--period", "2026-03", "--format", "csv",
                  "--db", stored.url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    inputs = report_inputs(stored.engine, Principal.system(), customer="acme", period="2026-03")
    assert len(rows) == sum(len(a.items) for a in inputs.agreements) > 0
    assert {r["customer"] for r in rows} == {"acme"}
    assert sum(1 for r in rows if r["agreement"] == "northwind-acme-billing"
               and r["objective"] == "first-response" and r["met"] == "false") == 46
    assert list(tmp_path.iterdir()) == []


def test_accord_report_of_an_unevaluated_period_fails_with_a_hint(stored: Workspace,
                                                                  tmp_path: Path) -> None:
    done = accord("report", "--customer", "acme", "--period", "2026-05", "--format", "html",
                  "--db", stored.url, cwd=tmp_path)
    assert done.returncode == 1
    message = done.stderr.decode()
    assert "no stored result for customer 'acme' in period 2026-05" in message
    assert "accord evaluate --period 2026-05" in message
    assert done.stdout == b""
    wrong = accord("report", "--customer", "acme", "--period", "2026-03", "--format", "docx",
                   "--db", stored.url, cwd=tmp_path)
    assert wrong.returncode == 2
    assert "--format 'docx' is not one of pdf, html, csv" in wrong.stderr.decode()
