"""Agreements for the document tests: the examples, and small ones written inline."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from accord.documents import Document, Source, content_hash, sla_document
from accord.model import Agreement, parse_agreement

EXAMPLES = sorted(p for p in (Path(__file__).parents[2] / "examples" / "agreements")
                  .glob("*.yaml") if p.name != "parties.yaml")

MINIMAL = """\
accord: 1
id: tiny
title: Tiny support
type: sla
provider: prov
customer: cust
services: [desk]
effective: {from: 2026-01-01, to: 2026-12-31}
timezone: Europe/Berlin
objectives:
  response:
    metric: response_time
    target: 4h
"""


def agreement_of(text: str) -> Agreement:
    return parse_agreement(text, "test.yaml")


def document_of(text: str) -> Document:
    return sla_document(agreement_of(text), Source(content_hash(text), file="test.yaml"))


@pytest.fixture(params=EXAMPLES, ids=[p.stem for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


class Tables(HTMLParser):
    """The tables of an HTML page by id: rows of cells, each cell's text with ``<br>`` as
    newlines."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or f"#{len(self.tables)}",
                                                 [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table is not None and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    parser.close()
    return parser.tables
