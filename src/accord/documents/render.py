"""Documents to HTML (Jinja2, autoescaped), Markdown, and PDF (WeasyPrint, from the HTML).

The templates and the print style sheet are packaged with Accord and load nothing from the
network, so documents render offline. Text is escaped for each format here, never in the
document builders.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined

from accord.documents.blocks import Document

__all__ = ["FORMATS", "render", "render_html", "render_markdown", "render_pdf"]

FORMATS = ("html", "pdf", "md")


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("accord.documents", "templates"),
        # HTML templates escape every value; the Markdown template escapes with its filter.
        autoescape=lambda name: name is None or not name.endswith(".md.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = markdown_text
    return environment


@cache
def _style() -> str:
    return (files("accord.documents") / "templates" / "print.css").read_text(encoding="utf-8")


def render_html(document: Document) -> str:
    """A standalone HTML page: the style sheet inline, no external resources."""
    template = _environment().get_template("sla.html.j2")
    # The packaged style sheet is trusted text: inside <style> an escaped quote would not be one.
    return template.render(document=document, style=_style())


def render_markdown(document: Document) -> str:
    """GitHub-flavoured Markdown: tables as pipe tables, lines in a cell joined by ``<br>``."""
    template = _environment().get_template("sla.md.j2")
    return re.sub(r"\n{3,}", "\n\n", template.render(document=document))


def render_pdf(document: Document) -> bytes:
    """An A4 PDF of the HTML page, with page numbers."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # loads pango: only for a PDF

    pdf: bytes = HTML(string=render_html(document), base_url=None).write_pdf()
    return pdf


def render(document: Document, fmt: str) -> bytes:
    """The document in ``fmt`` (one of :data:`FORMATS`), as bytes (text is UTF-8)."""
    if fmt == "pdf":
        return render_pdf(document)
    if fmt == "md":
        return render_markdown(document).encode("utf-8")
    if fmt == "html":
        return render_html(document).encode("utf-8")
    raise ValueError(f"{fmt!r} is not a document format (use one of {', '.join(FORMATS)})")


# Underscores inside a word (pending_customer) mark nothing up in CommonMark: left as they are.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|#!~]|(?<!\w)_|_(?!\w))")


def markdown_text(text: object) -> str:
    """Plain text for Markdown: punctuation that would mark something up is escaped, and the
    lines of a table cell are joined by ``<br>``."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
    return "<br>".join(escaped.splitlines()) if "\n" in escaped else escaped
