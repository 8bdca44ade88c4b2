"""``accord report``: the monthly SLA report of a customer for a period (PDF, HTML or the
evidence as CSV), from the stored results."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from accord.cli._app import app, connect_database, write_output
from accord.cli._files import Db
from accord.errors import UsageError

__all__ = ["report"]


@app.command()
def report(
    customer: Annotated[str, typer.Option(help="The customer (a party id), e.g. acme.")],
    period: Annotated[str, typer.Option(
        help="The evaluated period: a month (2026-03), a quarter (2026-Q1) or a year.")],
    fmt: Annotated[str, typer.Option(
        "--format", help="pdf (default), html, or csv (the evidence items).")] = "pdf",
    output: Annotated[Path | None, typer.Option(
        help="Write the report here ('-': standard output); default: "
             "CUSTOMER-PERIOD-sla-report.pdf in the current directory for pdf, standard "
             "output for html and csv.")] = None,
    db: Db = None,
) -> None:
    """The monthly SLA report of a customer: each agreement met or missed, each objective
    with its clause, target, attainment, trend and breaches with their evidence, the credits
    with the calculation shown, and the agreement version the figures were computed from —
    from the results stored by `accord evaluate --period`."""
    from accord.documents.report import REPORT_FORMATS, report_filename
    from accord.service.reports import report_file
    from accord.service.tenancy import Principal

    if fmt not in REPORT_FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(REPORT_FORMATS)}")
    engine = connect_database(db)
    try:
        # A PDF is the one kept in the database when it is of the current results; else it
        # is printed now, and kept.
        inputs, content = report_file(engine, Principal.system(), customer=customer,
                                      period=period, fmt=fmt, now=datetime.now(UTC))
    finally:
        engine.dispose()
    if output is None and fmt == "pdf":
        output = Path(report_filename(inputs.customer, inputs.period, fmt))
    write_output(content, output, "report")
