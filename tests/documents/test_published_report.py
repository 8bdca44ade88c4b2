"""The report PDF printed once and kept in the database (issue 5): published when the results
are stored, served while it is the report of the current results, the same as a printing of
them, and replaced once the period is evaluated again (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accord.documents import report as report_module
from accord.documents.report import print_report, report_key
from accord.service.evaluations import evaluate_period
from accord.service.reports import (
    latest_evaluations,
    publish_reports,
    report_file,
    report_inputs,
)
from accord.service.tenancy import Principal
from accord.store.schema import ReportRow
from tests.service.conftest import NOW, Workspace, build_workspace

MARCH_END = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def fresh_workspace(db_url: str) -> Iterator[Workspace]:
    """The examples' workspace (2026-02 and 2026-03 evaluated), for a test that changes it."""
    built = build_workspace(db_url)
    try:
        yield built
    finally:
        built.engine.dispose()


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every page WeasyPrint is asked to print from now on, with no PDF kept in memory."""
    import weasyprint

    pages: list[str] = []
    real = weasyprint.HTML

    def counted(*, string: str, base_url: str | None) -> Any:
        pages.append(string)
        return real(string=string, base_url=base_url)

    monkeypatch.setattr(weasyprint, "HTML", counted)
    monkeypatch.setattr(report_module, "_pdfs", report_module._PdfCache(size=4))
    return pages


def _last_evaluation(engine: Engine, period: str) -> int:
    (found,) = latest_evaluations(engine, [period])
    return found


def _kept(engine: Engine, customer: str, period: str) -> list[ReportRow]:
    with Session(engine) as session:
        rows = session.scalars(select(ReportRow).where(
            ReportRow.customer == customer, ReportRow.period == period)).all()
        session.expunge_all()
    return list(rows)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _download(engine: Engine, now: datetime) -> bytes:
    inputs, pdf = report_file(engine, Principal.system(), customer="acme", period="2026-03",
                              fmt="pdf", now=now)
    assert inputs.customer == "acme"
    return pdf


def test_the_published_report_is_served_and_is_the_printing_of_the_stored_results(
        fresh_workspace: Workspace, printed: list[str]) -> None:
    engine = fresh_workspace.engine
    evaluation = _last_evaluation(engine, "2026-03")
    assert "acme" in publish_reports(engine, evaluation, now=NOW)
    assert len(printed) >= 1  # one report a customer of the evaluation
    (row,) = _kept(engine, "acme", "2026-03")
    assert row.evaluation_id == evaluation
    assert row.sha256 == hashlib.sha256(row.pdf).hexdigest()
    assert row.printed_at == NOW
    inputs = report_inputs(engine, Principal.system(), customer="acme", period="2026-03")
    assert row.page_sha256 == report_key(inputs)

    printed.clear()
    served = _download(engine, NOW)
    assert printed == []  # served as kept, not printed again
    assert served == row.pdf
    # the same bytes as a printing of the same stored results now
    assert print_report(inputs) == served
    assert "Monthly SLA report: Acme Corp" in _text(served)
    assert "1–31 March 2026 (Europe/Berlin)" in _text(served)
    # published again: kept already, not printed again
    printed.clear()
    publish_reports(engine, evaluation, now=NOW)
    assert printed == []
    assert [r.id for r in _kept(engine, "acme", "2026-03")] == [row.id]


def _published_then_evaluated_again(engine: Engine) -> tuple[ReportRow, int, datetime]:
    """acme's March report published, then March evaluated again a day later: the kept
    report, the new evaluation and its instant."""
    publish_reports(engine, _last_evaluation(engine, "2026-03"), now=NOW)
    (old,) = _kept(engine, "acme", "2026-03")
    later = NOW + timedelta(days=1)
    evaluate_period(engine, period="2026-03", at=MARCH_END, by="tests again", now=later)
    return old, _last_evaluation(engine, "2026-03"), later


def test_a_report_evaluated_again_is_printed_anew_and_replaces_the_kept_one(
        fresh_workspace: Workspace, printed: list[str]) -> None:
    engine = fresh_workspace.engine
    old, again, later = _published_then_evaluated_again(engine)
    assert again > old.evaluation_id

    printed.clear()
    served = _download(engine, later)
    assert len(printed) == 1  # the kept report is of the results replaced: printed anew
    assert served != old.pdf
    assert "2026-03-18 15:00 CET by tests again" in _text(served)
    assert "by tests again" not in _text(old.pdf)
    (new,) = _kept(engine, "acme", "2026-03")  # and kept in place of the old one
    assert (new.evaluation_id, new.pdf, new.printed_at) == (again, served, later)
    inputs = report_inputs(engine, Principal.system(), customer="acme", period="2026-03")
    assert print_report(inputs) == served
    # the publisher finds acme's kept, and prints the other customers' of the evaluation
    printed.clear()
    customers = publish_reports(engine, again, now=later)
    assert "acme" in customers
    assert len(printed) == len(customers) - 1
    # a second download is served the kept one
    printed.clear()
    assert _download(engine, later) == served
    assert printed == []
    assert [r.id for r in _kept(engine, "acme", "2026-03")] == [new.id]


def test_publishing_after_an_evaluation_again_removes_the_report_it_replaces(
        fresh_workspace: Workspace, printed: list[str]) -> None:
    engine = fresh_workspace.engine
    old, again, later = _published_then_evaluated_again(engine)
    assert "acme" in publish_reports(engine, again, now=later)
    (new,) = _kept(engine, "acme", "2026-03")
    assert new.evaluation_id == again
    assert new.page_sha256 != old.page_sha256
    printed.clear()
    assert _download(engine, later) == new.pdf
    assert printed == []
