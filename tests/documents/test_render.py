"""Rendering: PDF from the HTML, Markdown escaping, packaged templates."""

from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path

import pytest
from pypdf import PdfReader

from accord.documents import FORMATS, Source, content_hash, render, sla_document
from accord.documents.render import markdown_text
from accord.model import load_agreement
from tests.documents.conftest import EXAMPLES


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module", params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def rendered_pdf(request: pytest.FixtureRequest) -> tuple[Path, bytes]:
    path: Path = request.param
    doc = sla_document(load_agreement(path), Source(content_hash(path.read_text())))
    return path, render(doc, "pdf")


def test_every_example_renders_as_a_pdf_with_its_title_and_clauses(
        rendered_pdf: tuple[Path, bytes]) -> None:
    path, pdf = rendered_pdf
    agreement = load_agreement(path)
    assert pdf.startswith(b"%PDF-")
    text = " ".join(pdf_text(pdf).split())
    assert agreement.title is not None
    assert agreement.title in text
    for objective in agreement.objectives.values():
        assert objective.clause is not None
        assert objective.clause in text
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"Page {pages} of {pages}" in text


def test_each_format_renders_to_bytes() -> None:
    path = EXAMPLES[0]
    doc = sla_document(load_agreement(path), Source(content_hash(path.read_text())))
    assert render(doc, "html").startswith(b"<!DOCTYPE html>")
    assert render(doc, "md").startswith(b"# ")
    assert FORMATS == ("html", "pdf", "md")
    with pytest.raises(ValueError, match="'docx' is not a document format"):
        render(doc, "docx")


@pytest.mark.parametrize(("text", "markdown"), [
    ("plain words", "plain words"),
    ("a | b", "a \\| b"),
    ("*not bold* and [no link](x)", "\\*not bold\\* and \\[no link\\](x)"),
    ("pending_customer", "pending_customer"),
    ("_emphasis_", "\\_emphasis\\_"),
    ("<b>", "\\<b\\>"),
    ("line one\nline two", "line one<br>line two"),
])
def test_markdown_text_escapes_what_would_mark_it_up(text: str, markdown: str) -> None:
    assert markdown_text(text) == markdown


def test_the_templates_and_style_sheet_are_packaged() -> None:
    templates = files("accord.documents") / "templates"
    for name in ("sla.html.j2", "sla.md.j2", "print.css"):
        assert (templates / name).is_file(), name
    assert "size: A4" in (templates / "print.css").read_text(encoding="utf-8")
