"""SLA documents (DESIGN.md §7): an agreement as the readable contract it stands for.

:func:`sla_document` builds the document from the agreement model as plain data; :func:`render`
writes it as HTML, Markdown or PDF.
"""

from accord.documents.blocks import Document
from accord.documents.render import FORMATS, render, render_html, render_markdown, render_pdf
from accord.documents.sla import Source, content_hash, sla_document

__all__ = [
    "FORMATS",
    "Document",
    "Source",
    "content_hash",
    "render",
    "render_html",
    "render_markdown",
    "render_pdf",
    "sla_document",
]
