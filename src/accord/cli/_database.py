"""The commands on the database: init, apply, agreements, parties, services, ingest, results."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from accord.cli._app import app, connect_database, out, stderr, user
from accord.cli._files import Db
from accord.errors import DataError, Problem, UsageError

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["apply", "ingest", "init"]

agreements_app = typer.Typer(help="The stored agreements and their versions.",
                             no_args_is_help=True)
parties_app = typer.Typer(help="The parties named by the stored agreements.", no_args_is_help=True)
services_app = typer.Typer(help="The services named by the stored agreements.",
                           no_args_is_help=True)
results_app = typer.Typer(help="Stored evaluation results.", no_args_is_help=True)
app.add_typer(agreements_app, name="agreements")
app.add_typer(parties_app, name="parties")
app.add_typer(services_app, name="services")
app.add_typer(results_app, name="results")


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(column, no_wrap=True)
    return table


def _show(table: Table) -> None:
    """Print a table; when not on a terminal, as wide as it needs (no column cut short)."""
    console = out()
    if not console.is_terminal:
        console = Console(highlight=False, width=500)
    console.print(table)


def _when(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command()
def init(db: Db = None) -> None:
    """Create the database, or upgrade its schema to this Accord's revision."""
    from accord.store import get_settings, migrate
    from accord.store.database import create_database_engine

    settings = get_settings(db)
    engine = create_database_engine(settings)
    try:
        migration = migrate(engine, settings.shown_url)
    finally:
        engine.dispose()
    out().print(migration.describe(settings.shown_url), markup=False)


@app.command()
def apply(
    paths: Annotated[list[Path], typer.Argument(help="Agreement files or directories of them.")],
    dry_run: Annotated[bool, typer.Option(
        help="Show what would change, objective by objective; store nothing.")] = False,
    by: Annotated[str | None, typer.Option(
        help="Who applies the agreements; default: the operating system's user.")] = None,
    db: Db = None,
) -> None:
    """Validate agreement files and store each changed agreement as a new version."""
    from accord.store.agreements import ChangeKind, apply_agreements

    engine = connect_database(db, create=True)
    try:
        changes = apply_agreements(engine, paths, by=by or user(), now=datetime.now(UTC),
                                   dry_run=dry_run)
    finally:
        engine.dispose()
    console = out()
    verb = {ChangeKind.NEW: "would create" if dry_run else "created",
            ChangeKind.CHANGED: "would change" if dry_run else "changed",
            ChangeKind.UNCHANGED: "unchanged"}
    for change in changes:
        if change.kind is ChangeKind.UNCHANGED:
            line = f"{change.file}: {change.agreement_id} unchanged (version {change.version})"
        else:
            line = f"{change.file}: {change.agreement_id} {verb[change.kind]} version " \
                   f"{change.version}"
        console.print(line, markup=False)
        for detail in change.details:
            console.print(f"  {detail}", markup=False)
    stored = sum(change.kind is not ChangeKind.UNCHANGED for change in changes)
    if dry_run:
        console.print(f"dry run: {stored} agreement(s) would get a new version; nothing stored",
                      markup=False)
    else:
        console.print(f"{stored} new version(s), {len(changes) - stored} unchanged", markup=False)


@agreements_app.command("list")
def agreements_list(db: Db = None) -> None:
    """Every stored agreement with its latest version."""
    from accord.store.agreements import list_agreements

    engine = connect_database(db)
    try:
        stored = list_agreements(engine)
    finally:
        engine.dispose()
    if not stored:
        out().print("No agreement is stored; store some with `accord apply PATH`.")
        return
    table = _table("agreement", "version", "type", "provider → customer", "effective",
                   "applied")
    for version in stored:
        agreement = version.agreement()
        effective = f"{version.effective_from} – {version.effective_to or '…'}"
        table.add_row(version.agreement_id, str(version.version), version.type,
                      f"{agreement.provider} → {agreement.customer}", effective,
                      f"{_when(version.applied_at)} by {version.applied_by}")
    _show(table)


@agreements_app.command("show")
def agreements_show(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")],
    version: Annotated[int | None, typer.Option(help="This version; default: the latest.")
                       ] = None,
    db: Db = None,
) -> None:
    """Print an agreement's source (as applied) and a summary of it."""
    from accord.store.agreements import agreement_version

    engine = connect_database(db)
    try:
        stored = agreement_version(engine, agreement_id, version)
    finally:
        engine.dispose()
    agreement = stored.agreement()
    console = out()
    console.print(f"# {stored.agreement_id} version {stored.version}, applied "
                  f"{_when(stored.applied_at)} by {stored.applied_by} from {stored.file}",
                  markup=False)
    console.print(f"# sha256 {stored.content_hash}", markup=False)
    console.print(f"# {agreement.type.value} {agreement.provider} → {agreement.customer}, "
                  f"services {', '.join(agreement.services)}, effective "
                  f"{stored.effective_from} – {stored.effective_to or '…'}, objectives "
                  f"{', '.join(agreement.objectives)}", markup=False)
    sys.stdout.write(stored.source if stored.source.endswith("\n") else stored.source + "\n")


@agreements_app.command("history")
def agreements_history(
    agreement_id: Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")],
    db: Db = None,
) -> None:
    """Every version of an agreement: when, by whom, from which file, with its hash."""
    from accord.store.agreements import agreement_history

    engine = connect_database(db)
    try:
        history = agreement_history(engine, agreement_id)
    finally:
        engine.dispose()
    table = _table("version", "applied", "by", "effective", "sha256", "file")
    for stored in history:
        table.add_row(str(stored.version), _when(stored.applied_at), stored.applied_by,
                      f"{stored.effective_from} – {stored.effective_to or '…'}",
                      stored.content_hash[:12], stored.file)
    _show(table)


@parties_app.command("list")
def parties_list(db: Db = None) -> None:
    """Every party named by a stored agreement."""
    from accord.store.agreements import list_parties

    engine = connect_database(db)
    try:
        parties = list_parties(engine)
    finally:
        engine.dispose()
    table = _table("party", "role")
    for party, roles in parties:
        table.add_row(party, ", ".join(roles))
    _show(table)


@services_app.command("list")
def services_list(db: Db = None) -> None:
    """Every service named by a stored agreement."""
    from accord.store.agreements import list_services

    engine = connect_database(db)
    try:
        services = list_services(engine)
    finally:
        engine.dispose()
    table = _table("service", "provider", "agreements")
    for service, provider, agreements in services:
        table.add_row(service, provider, ", ".join(agreements))
    _show(table)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Data files or directories of them.")],
    table: Annotated[str | None, typer.Option(
        help="The table of the files (else told by each file's name).")] = None,
    skip_bad_rows: Annotated[bool, typer.Option(
        help="Load the good rows of files with bad ones; write the bad ones to a file.")
    ] = False,
    rejects: Annotated[Path | None, typer.Option(
        help="Where the rejected rows go (with --skip-bad-rows); default: NAME.rejects.csv "
             "beside each file.")] = None,
    data_timezone: Annotated[str | None, typer.Option(
        help="The zone of naive timestamps in the data (e.g. Europe/Berlin).")] = None,
    db: Db = None,
) -> None:
    """Load data tables into the database; each file in one transaction, keyed by its ids."""
    from accord.engine import TableName
    from accord.store.ingest import ingest_file, table_files
    from accord.store.ingestions import record_ingestion

    if rejects is not None and not skip_bad_rows:
        raise UsageError("--rejects goes with --skip-bad-rows")
    chosen = None
    if table is not None:
        try:
            chosen = TableName(table)
        except ValueError:
            raise UsageError(f"--table {table!r} is not one of "
                             + ", ".join(t.value for t in TableName)) from None
    files = table_files(paths, chosen)
    if rejects is not None and len(files) > 1:
        raise UsageError("--rejects names one file, but there are several files to load",
                         [Problem("--rejects names one file, but there are several files to "
                                  "load", hint="leave it out: each file's rejects go beside it")])
    engine = connect_database(db, create=True)
    refused = 0
    try:
        with _Loading(len(files)) as loading:
            for file, name in files:
                try:
                    load = ingest_file(engine, file, name, data_timezone=data_timezone,
                                       skip_bad_rows=skip_bad_rows, rejects=rejects,
                                       progress=loading.file(file))
                except DataError as error:
                    # A file that cannot be used at all (a required column missing …) is
                    # refused whole; the other files still load.
                    for problem in error.problems or [Problem(error.message, file=str(file))]:
                        stderr().print(str(problem), markup=False)
                    out().print(f"{file}: {name.value}: nothing loaded, the file cannot be used",
                                markup=False)
                    refused += 1
                    loading.done()
                    continue
                # The log of loads: staff see it in the portal; the worker re-checks the
                # live timers when a new entry appears.
                record_ingestion(engine, load, source=str(file), by=user(),
                                 now=datetime.now(UTC))
                for problem in load.problems:
                    stderr().print(("rejected: " if not load.refused else "") + str(problem),
                                   markup=False)
                out().print(load.summary(), markup=False)
                refused += load.refused
                loading.done()
    finally:
        engine.dispose()
    if refused:
        stderr().print(f"{refused} file{'s' if refused != 1 else ''} refused: nothing loaded "
                       "from a file with problems (fix them; bad rows can be skipped with "
                       "--skip-bad-rows)", markup=False)
        raise typer.Exit(1)


class _Loading:
    """On a terminal, progress bars on stderr while files load: the files, and the rows of the
    file being loaded (it is read and checked first, then its rows are compared and written).
    Elsewhere nothing: the summary line of each file says what was done."""

    def __init__(self, files: int) -> None:
        self._files = files
        self._bar: RichProgress | None = None
        self._all: TaskID | None = None
        self._rows: TaskID | None = None

    def __enter__(self) -> _Loading:
        if sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=stderr(), transient=True)
            if self._files > 1:
                self._all = self._bar.add_task("files", total=self._files)
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def file(self, file: Path) -> Callable[[int, int], object] | None:
        """Show ``file`` being read; the rows' progress goes to the callable returned."""
        bar = self._bar
        if bar is None:
            return None
        if self._rows is not None:
            bar.remove_task(self._rows)
        rows = self._rows = bar.add_task(f"reading {file.name}", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(rows, description=f"loading {file.name} (rows)", completed=done,
                       total=total)

        return advance

    def done(self) -> None:
        if self._bar is not None and self._all is not None:
            self._bar.advance(self._all)


@results_app.command("list")
def results_list(
    period: Annotated[str | None, typer.Option(help="Only this period (2026-03, 2026-Q1 …).")
                      ] = None,
    db: Db = None,
) -> None:
    """The current stored results: per period, agreement and customer."""
    from accord.render import credit_text
    from accord.service.evaluations import parse_period
    from accord.store.results import list_results

    if period is not None:
        period = parse_period(period)
    engine = connect_database(db)
    try:
        results = list_results(engine, period)
    finally:
        engine.dispose()
    if not results:
        out().print("No stored result" + (f" for {period}" if period else "")
                    + "; evaluate with `accord evaluate --period P`.")
        return
    table = _table("period", "agreement", "customer", "version", "met", "credit", "as of",
                   "evaluated")
    for result in results:
        credit = credit_text(float(result.credit_percent), result.credit_amount,
                             result.currency, bool(result.document["credit"]["capped"]))
        table.add_row(result.period, result.agreement_id, result.customer, str(result.version),
                      "met" if result.met else "missed", credit, _when(result.at),
                      _when(result.evaluated_at))
    _show(table)


@results_app.command("show")
def results_show(
    agreement_id: Annotated[str, typer.Argument(metavar="AGREEMENT", help="The agreement's id.")],
    period: Annotated[str, typer.Option(help="The period (2026-03, 2026-Q1 …).")],
    customer: Annotated[str | None, typer.Option(help="Only this customer.")] = None,
    history: Annotated[bool, typer.Option(
        help="Also the results that later evaluations replaced, newest first.")] = False,
    output: Annotated[str, typer.Option(
        "--format", help="table, or json (the stored documents with their items).")] = "table",
    db: Db = None,
) -> None:
    """A stored result: each objective's attainment, counts and credit, and the evidence."""
    from accord.model import Metric
    from accord.render import attainment_text, credit_text, goal_text
    from accord.service.evaluations import parse_period
    from accord.store.results import result_history

    if output not in ("table", "json"):
        raise UsageError(f"--format {output!r} is not one of table, json")
    period = parse_period(period)
    engine = connect_database(db)
    try:
        results = result_history(engine, agreement_id, period, customer=customer,
                                 history=history)
    finally:
        engine.dispose()
    if output == "json":
        documents = [{"current": r.current, "version": r.version, "at": _iso(r.at),
                      "evaluated_at": _iso(r.evaluated_at), "evaluated_by": r.evaluated_by,
                      **r.document} for r in results]
        json.dump(documents, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    console = out()
    for result in results:
        state = "current" if result.current else "replaced"
        console.print(f"{result.agreement_id} · {result.customer} · {result.period} "
                      f"({state}): version {result.version}, as of {_when(result.at)}, "
                      f"evaluated {_when(result.evaluated_at)} by {result.evaluated_by}",
                      markup=False)
        table = _table("objective", "metric", "attainment", "goal", "met", "counted",
                       "breached", "pending", "credit", "items")
        for column in (2, 3, 5, 6, 7, 8, 9):
            table.columns[column].justify = "right"
        items: dict[str, int] = {}
        for item in result.document["items"]:
            items[item["objective"]] = items.get(item["objective"], 0) + 1
        for objective in result.document["objectives"]:
            metric = Metric(objective["metric"])
            table.add_row(objective["id"], metric.value,
                          attainment_text(metric, objective["attainment"],
                                          objective.get("target")),
                          goal_text(objective["goal"], objective.get("target")),
                          "yes" if objective["met"] else "no", str(objective["counted"]),
                          str(objective["breached"]), str(objective["pending"]),
                          f"{objective['credit']['percent']:g} %",
                          str(items.get(objective["id"], 0)))
        _show(table)
        credit = result.document["credit"]
        console.print("Credit: " + credit_text(credit["percent"], credit["amount"],
                                               credit["currency"], credit["capped"],
                                               of=" of the fee") + "\n", markup=False)


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
