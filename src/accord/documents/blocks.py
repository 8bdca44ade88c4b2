"""The plain data view of a document: sections of paragraphs, lists, facts and tables.

A document is built once, as data, and rendered to HTML, Markdown and PDF from that data, so
that every format says the same thing. Every piece of text is plain text: the renderers escape
it for their format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Facts",
    "Paragraph",
    "Section",
    "Signatures",
    "Table",
]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    note: bool = False
    """A remark set apart from the terms (e.g. what the agreement file does not specify)."""

    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]

    kind: str = field(default="bullets", init=False)


@dataclass(frozen=True, slots=True)
class Facts:
    """Labelled values, such as the parties and the term."""

    rows: tuple[tuple[str, str], ...]

    kind: str = field(default="facts", init=False)


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    id: str | None = None
    """A stable anchor (``service-levels``) for links and for tests."""
    caption: str | None = None

    kind: str = field(default="table", init=False)


@dataclass(frozen=True, slots=True)
class Signatures:
    """A place to sign for each party: (role, name)."""

    parties: tuple[tuple[str, str], ...]

    kind: str = field(default="signatures", init=False)


Block = Paragraph | Bullets | Facts | Table | Signatures


@dataclass(frozen=True, slots=True)
class Section:
    number: str
    title: str
    id: str
    blocks: tuple[Block, ...]
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str
