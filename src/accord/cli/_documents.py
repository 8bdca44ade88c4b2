"""``accord doc``: an agreement as its SLA document (HTML, Markdown or PDF), from a file or from
the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli._app import app, connect_database, write_output
from accord.cli._files import Db
from accord.errors import AccordError, Problem, UsageError

if TYPE_CHECKING:
    from accord.documents import Source
    from accord.model import Agreement
    from accord.model.parties import Parties

__all__ = ["doc"]


@app.command()
def doc(
    agreement: Annotated[str, typer.Argument(
        metavar="AGREEMENT", help="An agreement file, or the id of a stored agreement.")],
    fmt: Annotated[str, typer.Option(
        "--format", help="html (default), pdf or md (Markdown).")] = "html",
    output: Annotated[Path | None, typer.Option(
        help="Write the document here ('-': standard output); default: standard output for "
             "html and md, ID.pdf in the current directory for pdf.")] = None,
    version: Annotated[int | None, typer.Option(
        help="This version of a stored agreement; default: the latest.")] = None,
    db: Db = None,
) -> None:
    """Render an agreement as its SLA document: parties, service hours, service levels,
    credits and signatures, generated from the same agreement that drives the evaluation."""
    from accord.documents import FORMATS, render, sla_document

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    model, source, parties = _load(agreement, version, db)
    content = render(sla_document(model, source, parties), fmt)
    if output is None and fmt == "pdf":
        output = Path(f"{model.id}.pdf")
    write_output(content, output, "document")


def _load(name: str, version: int | None, db: str | None
          ) -> tuple[Agreement, Source, Parties]:
    """The agreement of a file (when ``name`` is one), else of the database, and the parties
    it names: the parties file beside the agreement file, or the stored parties."""
    from accord.documents import Source, content_hash
    from accord.model import parse_agreement
    from accord.model.parties import PARTIES_FILE, Parties, load_parties

    path = Path(name)
    if path.is_file():
        if version is not None:
            raise UsageError("--version goes with a stored agreement, not a file",
                             [Problem("--version goes with a stored agreement's id",
                                      file=name, hint="leave out --version, or give the id")])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise AccordError(str(error), [Problem(f"cannot read the file: {error}",
                                                   file=name)]) from None
        beside = path.parent / PARTIES_FILE
        parties = load_parties(beside) if beside.is_file() else Parties()
        return (parse_agreement(text, name, parties if parties.file else None),
                Source(content_hash(text), file=name), parties)
    if path.suffix in (".yaml", ".yml") or path.is_dir() or "/" in name:
        raise UsageError(f"{name}: no such agreement file", [Problem(
            "no such agreement file", file=name,
            hint="give an agreement file (*.yaml), or the id of a stored agreement")])
    from accord.store.agreements import agreement_version, party_directory

    engine = connect_database(db)
    try:
        stored = agreement_version(engine, name, version)
        parties = party_directory(engine)
    finally:
        engine.dispose()
    return stored.agreement(), Source(stored.content_hash, file=stored.file,
                                      version=stored.version, applied_at=stored.applied_at,
                                      applied_by=stored.applied_by), parties
