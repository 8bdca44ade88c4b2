"""`accord doc` as a user runs it: a real process, from a file or from the database (SQLite and
PostgreSQL, the ``db_url`` fixture)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.documents.conftest import EXAMPLES, html_tables

NORTHWIND = next(p for p in EXAMPLES if p.stem == "northwind-acme-billing")


def accord(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          cwd=cwd, timeout=300, check=False)


def test_doc_of_a_file_prints_html_by_default(tmp_path: Path) -> None:
    result = accord("doc", str(NORTHWIND), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    html = result.stdout.decode()
    assert html.startswith("<!DOCTYPE html>")
    rows = html_tables(html)["service-levels"]
    assert [row[0] for row in rows[1:]] == ["7.2.1", "7.2.2", "7.2.3", "7.2.4", "7.3", "7.5"]
    assert list(tmp_path.iterdir()) == []


def test_doc_as_pdf_writes_the_agreement_id_pdf_unless_told_where(tmp_path: Path) -> None:
    result = accord("doc", str(NORTHWIND), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    written = tmp_path / "northwind-acme-billing.pdf"
    assert result.stderr.decode().strip() == "wrote northwind-acme-billing.pdf"
    pdf = written.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Billing system support for Acme Corp" in text
    assert "P1: 15 business minutes" in text


def test_doc_refuses_an_unknown_format_and_a_missing_file(tmp_path: Path) -> None:
    wrong = accord("doc", str(NORTHWIND), "--format", "docx", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "--format 'docx' is not one of html, pdf, md" in wrong.stderr.decode()
    missing = accord("doc", "missing.yaml", cwd=tmp_path)
    assert missing.returncode == 2
    assert "missing.yaml: no such agreement file" in missing.stderr.decode()
    version = accord("doc", str(NORTHWIND), "--version", "2", cwd=tmp_path)
    assert version.returncode == 2
    assert "--version goes with a stored agreement" in version.stderr.decode()


def test_doc_of_a_stored_agreement_names_its_version_and_hash(tmp_path: Path,
                                                              db_url: str) -> None:
    first = tmp_path / "northwind.yaml"
    first.write_text(NORTHWIND.read_text())
    assert accord("apply", str(first), "--db", db_url, cwd=tmp_path).returncode == 0
    first.write_text(NORTHWIND.read_text().replace('clause: "7.2.1"', 'clause: "7.2.1a"'))
    assert accord("apply", str(first), "--db", db_url, cwd=tmp_path).returncode == 0

    latest = accord("doc", "northwind-acme-billing", "--format", "md", "--db", db_url,
                    cwd=tmp_path)
    assert latest.returncode == 0, latest.stderr.decode()
    markdown = latest.stdout.decode()
    assert "| 7.2.1a | first-response |" in markdown
    assert "| **Version** | 2, applied " in markdown

    output = tmp_path / "v1.md"
    older = accord("doc", "northwind-acme-billing", "--version", "1", "--format", "md",
                   "--output", str(output), "--db", db_url, cwd=tmp_path)
    assert older.returncode == 0, older.stderr.decode()
    markdown = output.read_text()
    assert "| 7.2.1 | first-response |" in markdown
    assert "| **Version** | 1, applied " in markdown
    from accord.documents import content_hash

    assert f"| **Content hash (sha256)** | {content_hash(NORTHWIND.read_text())} |" in markdown

    unknown = accord("doc", "nobody", "--db", db_url, cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no agreement 'nobody' is stored" in unknown.stderr.decode()
