"""The monthly report downloaded from the portal: a customer gets its own, as PDF, HTML or CSV,
and nothing of another customer's."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.documents import report as report_module
from accord.documents.report_view import build_report
from accord.service.credits import credit_statements
from accord.service.reports import publish_reports, report_inputs
from accord.service.tenancy import Principal
from accord.store.schema import EvaluationRow, ReportRow
from tests.portal.conftest import browser_of, logged_in
from tests.service.conftest import NOW, Workspace

# What acme's reports show and no other customer may see.
ACME_ONLY = ("northwind-acme-billing", "Billing system support for Acme Corp",
             "brewline-office-drinks", "sparkle-janitorial", "4,625.00", "4625.00")


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_customer_downloads_its_monthly_report_as_pdf(site: Workspace) -> None:
    answer = logged_in(site, "ann").get("/reports/acme/2026-03.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="acme-2026-03-sla-report.pdf"')
    assert answer.content.startswith(b"%PDF-")
    text = _text(answer.content)
    assert "Monthly SLA report: Acme Corp" in text
    assert "1–31 March 2026 (Europe/Berlin)" in text
    for statement in credit_statements(site.engine, period="2026-03",
                                       principal=Principal.system(), customer="acme"):
        assert " ".join(statement.text.split()) in text
    for clause in ("7.2.1", "7.2.2", "7.3", "7.5", "3.1", "4.1", "9.2.9"):
        assert clause in text
    # every breach, with its evidence
    inputs = report_inputs(site.engine, Principal.system(), customer="acme", period="2026-03")
    rows = [row for a in build_report(inputs, charts=False).agreements for o in a.objectives
            if o.evidence for row in o.evidence.rows]
    assert rows
    for row in rows:
        assert " ".join(row) in text
    # asked again, the same PDF
    assert logged_in(site, "ann").get("/reports/acme/2026-03.pdf").content == answer.content


def test_the_report_csv_holds_every_item_the_api_counts(site: Workspace) -> None:
    answer = logged_in(site, "ann").get("/reports/acme/2026-03.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    api = site.client("ann")
    results = api.get("/api/evaluations/2026-03").json()
    assert {r["customer"] for r in results} == {"acme"}
    total = 0
    for result in results:
        page = api.get(f"/api/evaluations/2026-03/{result['agreement']}/acme/items",
                       params={"limit": 1}).json()
        total += page["total"]
    assert len(rows) == total > 0
    assert {r["customer"] for r in rows} == {"acme"}


def test_the_html_report_is_an_attachment_with_the_agreement_versions(site: Workspace) -> None:
    answer = logged_in(site, "ann").get("/reports/acme/2026-02.html")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (
        'attachment; filename="acme-2026-02-sla-report.html"')
    assert "Monthly SLA report: Acme Corp" in answer.text
    assert "1–28 February 2026 (Europe/Berlin)" in answer.text
    assert answer.text.count("sha256 ") == 4


@pytest.mark.parametrize("fmt", ["pdf", "html", "csv"])
def test_another_customers_report_is_not_found_and_says_nothing_of_it(site: Workspace,
                                                                     fmt: str) -> None:
    greg = logged_in(site, "greg")
    answer = greg.get(f"/reports/acme/2026-03.{fmt}")
    assert answer.status_code == 404
    assert "content-disposition" not in answer.headers
    for secret in ACME_ONLY:
        assert secret not in answer.text
    # the same answer as for a customer that does not exist
    assert answer.text == greg.get(f"/reports/nobody/2026-03.{fmt}").text


def test_a_customer_gets_only_its_own_agreements_in_its_report(site: Workspace) -> None:
    answer = logged_in(site, "greg").get("/reports/globex/2026-03.html")
    assert answer.status_code == 200
    assert "skyhost-cloud-availability" in answer.text
    for secret in ACME_ONLY:
        assert secret not in answer.text


def test_a_supplier_sees_only_its_own_agreement_in_a_customers_report(site: Workspace) -> None:
    lena = logged_in(site, "lena")
    assert lena.get("/reports/acme/2026-03.html").status_code == 404
    answer = lena.get("/reports/northwind-it/2026-03.csv")
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["agreement"] for r in rows} == {"ledgerworks-billing-uc"}


def test_staff_download_any_customers_report(site: Workspace) -> None:
    answer = logged_in(site, "sam").get("/reports/globex/2026-03.csv")
    assert answer.status_code == 200
    assert {r["customer"] for r in csv.DictReader(io.StringIO(answer.text))} == {"globex"}


def test_a_period_not_evaluated_or_a_format_unknown_is_not_found(site: Workspace) -> None:
    ann = logged_in(site, "ann")
    missing = ann.get("/reports/acme/2026-05.pdf")
    assert missing.status_code == 404
    assert "evaluate 2026-05 first" in missing.text
    assert ann.get("/reports/acme/2026-03.docx").status_code == 404


def test_a_report_without_a_session_leads_to_the_login_form(site: Workspace) -> None:
    answer = browser_of(site).get("/reports/acme/2026-03.pdf", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/reports/acme/2026-03.pdf"


def test_the_home_and_agreement_pages_link_to_the_report(site: Workspace) -> None:
    ann = logged_in(site, "ann")
    home = ann.get("/?period=2026-03").text
    assert 'href="/reports/acme/2026-03.pdf"' in home
    assert 'href="/reports/acme/2026-03.csv"' in home
    page = ann.get("/agreements/northwind-acme-billing/acme?period=2026-02").text
    assert 'href="/reports/acme/2026-02.pdf"' in page
    assert 'href="/reports/' not in logged_in(site, "sam").get("/?period=2026-03").text


def test_the_report_published_at_evaluation_is_what_its_customer_downloads(
        site: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(site.engine) as session:
        evaluation = session.scalar(select(func.max(EvaluationRow.id))
                                    .where(EvaluationRow.period == "2026-02"))
    assert evaluation is not None
    assert "acme" in publish_reports(site.engine, evaluation, now=NOW)
    with Session(site.engine) as session:
        kept = session.scalar(select(ReportRow.pdf).where(
            ReportRow.customer == "acme", ReportRow.period == "2026-02"))
    assert kept is not None
    import weasyprint

    def refused(**_: Any) -> Any:
        raise AssertionError("printed again")

    monkeypatch.setattr(weasyprint, "HTML", refused)
    monkeypatch.setattr(report_module, "_pdfs", report_module._PdfCache(size=4))
    answer = logged_in(site, "ann").get("/reports/acme/2026-02.pdf")
    assert answer.status_code == 200
    assert answer.content == kept
    # kept or not, another customer's report is not found, and says nothing of it
    greg = logged_in(site, "greg")
    assert greg.get("/reports/acme/2026-02.pdf").status_code == 404
    assert greg.get("/reports/acme/2026-02.pdf").text == greg.get(
        "/reports/nobody/2026-02.pdf").text
