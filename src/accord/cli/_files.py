"""``accord validate`` and ``accord evaluate``: from files, or (evaluate) from the database."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord.cli._app import Progress, app, connect_database, instant, out, stderr, user
from accord.errors import AccordError, NotFoundError, Problem, UsageError

__all__ = ["evaluate", "validate"]

Db = Annotated[str | None, typer.Option(
    "--db", help="Database URL; default: ACCORD_DATABASE_URL, else sqlite:///accord.db.")]


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Agreement files or directories of them.")],
) -> None:
    """Check agreement files; list every problem in every file at once (exit 1)."""
    from accord.model import agreement_files, load_agreement

    console = out()
    problems = []
    files = agreement_files(paths)
    if not files:
        raise UsageError("no agreement files found (*.yaml, *.yml) in " +
                         ", ".join(str(p) for p in paths))
    for file in files:
        try:
            agreement = load_agreement(file)
        except AccordError as error:
            problems.extend(error.problems)
            continue
        objectives = len(agreement.objectives)
        console.print(f"{file}: ok — {agreement.type.value} {agreement.id} "
                      f"({agreement.provider} → {agreement.customer}), "
                      f"{objectives} objective{'s' if objectives != 1 else ''}", markup=False)
    if problems:
        for problem in problems:
            stderr().print(str(problem), markup=False)
        bad = len({p.file for p in problems})
        stderr().print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
                       f"in {bad} file{'s' if bad != 1 else ''}", markup=False)
        raise typer.Exit(1)


@app.command()
def evaluate(
    period: Annotated[str, typer.Option(help="2026-03 (month), 2026-Q1 (quarter) or 2026.")],
    agreements: Annotated[Path | None, typer.Option(
        help="An agreement file or a directory of them (with --data; else the database).")
    ] = None,
    data: Annotated[Path | None, typer.Option(
        help="A directory of data tables (with --agreements; else the database).")] = None,
    at: Annotated[str | None, typer.Option(
        help="Evaluate as of this instant (ISO 8601 with offset); default: now.")] = None,
    agreement_ids: Annotated[list[str] | None, typer.Option(
        "--agreement", help="Only this agreement (repeat for more).")] = None,
    output: Annotated[str, typer.Option(
        "--format", help="table (for people), json (DESIGN.md §6) or csv (the items).")] = "table",
    data_timezone: Annotated[str | None, typer.Option(
        help="The zone of naive timestamps in the data files (e.g. Europe/Berlin).")] = None,
    skip_bad_rows: Annotated[bool, typer.Option(
        help="Evaluate the good rows of files with errors; list every skipped row.")] = False,
    db: Db = None,
) -> None:
    """Evaluate agreements for a period: from files (--agreements and --data), or the stored
    agreements on the stored data, storing the results."""
    from accord.engine import Period
    from accord.engine.warm import spare_cpu, warm_up_in_background

    if output not in ("table", "json", "csv"):
        raise UsageError(f"--format {output!r} is not one of table, json, csv")
    from accord.service.evaluations import parse_period

    chosen = Period.parse(parse_period(period))
    when = instant(at) if at is not None else datetime.now(UTC)
    wanted = list(agreement_ids or [])
    if (agreements is None) != (data is None):
        given, missing = ("--agreements", "--data") if data is None else ("--data", "--agreements")
        raise UsageError(f"{given} needs {missing}", [Problem(
            f"{given} is given without {missing}",
            hint="give both to evaluate files, or neither to evaluate what is stored")])
    if agreements is not None and data is not None:
        if db is not None:
            raise UsageError("--db does not go with --agreements and --data (files need none)")
        from accord.io import read_tables
        from accord.model import load_agreements

        loaded = [a for _, a in load_agreements([agreements])]
        if not loaded:
            raise UsageError(f"no agreement files found in {agreements}")
        if wanted:
            _check_wanted(wanted, [a.id for a in loaded])
            loaded = [a for a in loaded if a.id in wanted]
        # The kernels load while the files are read: reading is mostly Polars' native code,
        # which lets go of the GIL (loading the agreements is Python's, which would not). On
        # one CPU nothing overlaps: the evaluation then loads just the kernels it needs.
        if spare_cpu():
            warm_up_in_background()
        tables, skipped = read_tables(data, data_timezone=data_timezone,
                                      skip_bad_rows=skip_bad_rows)
        for problem in skipped:
            stderr().print(f"skipped: {problem}", markup=False)
        if skipped:
            stderr().print(f"{len(skipped)} bad row(s) skipped", markup=False)
        from accord.engine import evaluate as run

        with Progress(len(loaded), "evaluating") as advance:
            evaluation = run(loaded, tables, chosen, when, progress=advance)
        _print(evaluation, output)
        return
    if data_timezone is not None or skip_bad_rows:
        raise UsageError("--data-timezone and --skip-bad-rows go with --data; stored data was "
                         "checked when it was loaded (accord ingest)")
    from accord.engine import evaluate as run
    from accord.store.agreements import list_agreements, versions_in_effect
    from accord.store.results import store_evaluation
    from accord.store.tables import load_tables

    engine = connect_database(db)
    try:
        if not list_agreements(engine):
            raise NotFoundError("no agreement is stored", [Problem(
                "no agreement is stored in the database",
                hint="store agreements with `accord apply PATH`, or give --agreements and "
                     "--data to evaluate files")])
        versions = versions_in_effect(engine, chosen, wanted)
        warm_up_in_background()  # the kernels load while the stored tables are read
        tables = load_tables(engine)
        loaded = [a for _, a in versions]
        with Progress(len(loaded), "evaluating") as advance:
            evaluation = run(loaded, tables, chosen, when, progress=advance)
        stored = store_evaluation(engine, evaluation, {a.id: v for v, a in versions},
                                  evaluated=[a.id for a in loaded], by=user(),
                                  now=datetime.now(UTC))
    finally:
        engine.dispose()
    _print(evaluation, output)
    count = len(evaluation.agreements)
    stderr().print(f"stored as evaluation {stored}: {count} result{'s' if count != 1 else ''} "
                   f"for {chosen.label} (any earlier ones kept as history)", markup=False)


def _check_wanted(wanted: list[str], known: list[str]) -> None:
    missing = [w for w in wanted if w not in known]
    if missing:
        raise NotFoundError(f"no agreement {missing[0]!r}", [Problem(
            f"no agreement {m!r} among the agreement files", hint="the agreements are: "
            + ", ".join(sorted(known))) for m in missing])


def _print(evaluation: object, output: str) -> None:
    from accord.engine import Evaluation
    from accord.render import render_csv, render_table

    assert isinstance(evaluation, Evaluation)
    if output == "json":
        evaluation.write_json(sys.stdout)
        sys.stdout.write("\n")
    elif output == "csv":
        render_csv(evaluation, sys.stdout)
    else:
        # Piped output is not cut to 80 columns: the table is read, grepped and diffed.
        render_table(evaluation, Console(highlight=False,
                                         width=None if sys.stdout.isatty() else 100))
