"""The ``accord`` command (DESIGN.md §6).

Errors from every layer arrive here as :class:`~accord.errors.AccordError` and are shown in
one place, :func:`main`, with their exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from accord.errors import AccordError, UsageError

__all__ = ["app", "main"]

app = typer.Typer(
    name="accord",
    help="Service level agreements as code: exact, explainable compliance and service credits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Agreement files or directories of them.")],
) -> None:
    """Check agreement files; list every problem in every file at once (exit 1)."""
    from accord.model import agreement_files, load_agreement

    out = Console(highlight=False, soft_wrap=True)
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
        out.print(f"{file}: ok — {agreement.type.value} {agreement.id} "
                  f"({agreement.provider} → {agreement.customer}), "
                  f"{objectives} objective{'s' if objectives != 1 else ''}", markup=False)
    if problems:
        for problem in problems:
            _stderr().print(str(problem), markup=False)
        bad = len({p.file for p in problems})
        _stderr().print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} "
                        f"in {bad} file{'s' if bad != 1 else ''}", markup=False)
        raise typer.Exit(1)


@app.command()
def evaluate(
    agreements: Annotated[Path, typer.Option(help="An agreement file or a directory of them.")],
    data: Annotated[Path, typer.Option(help="A directory of data tables (CSV, JSONL, Parquet).")],
    period: Annotated[str, typer.Option(help="2026-03 (month), 2026-Q1 (quarter) or 2026.")],
    at: Annotated[str | None, typer.Option(
        help="Evaluate as of this instant (ISO 8601 with offset); default: now.")] = None,
    output: Annotated[str, typer.Option(
        "--format", help="table (for people), json (DESIGN.md §6) or csv (the items).")] = "table",
    data_timezone: Annotated[str | None, typer.Option(
        help="The zone of naive timestamps in the data (e.g. Europe/Berlin).")] = None,
    skip_bad_rows: Annotated[bool, typer.Option(
        help="Evaluate the good rows of files with errors; list every skipped row.")] = False,
) -> None:
    """Evaluate agreements on data files for a period; no database needed."""
    from accord.engine import Period
    from accord.engine import evaluate as run
    from accord.io import read_tables
    from accord.model import load_agreements
    from accord.render import render_csv, render_table

    if output not in ("table", "json", "csv"):
        raise UsageError(f"--format {output!r} is not one of table, json, csv")
    try:
        chosen = Period.parse(period)
    except ValueError as error:
        raise UsageError(f"--period: {error}") from None
    instant = _instant(at) if at is not None else datetime.now(UTC)
    loaded = [a for _, a in load_agreements([agreements])]
    if not loaded:
        raise UsageError(f"no agreement files found in {agreements}")
    tables, skipped = read_tables(data, data_timezone=data_timezone, skip_bad_rows=skip_bad_rows)
    for problem in skipped:
        _stderr().print(f"skipped: {problem}", markup=False)
    if skipped:
        _stderr().print(f"{len(skipped)} bad row(s) skipped", markup=False)
    with _Progress(len(loaded)) as advance:
        evaluation = run(loaded, tables, chosen, instant, progress=advance)
    if output == "json":
        evaluation.write_json(sys.stdout)
        sys.stdout.write("\n")
    elif output == "csv":
        render_csv(evaluation, sys.stdout)
    else:
        render_table(evaluation, Console(highlight=False))


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO 8601 instant "
                         "(write e.g. 2026-04-01T00:00:00Z)") from None
    if value.tzinfo is None:
        raise UsageError(f"--at {text!r} has no UTC offset (add Z or e.g. +01:00)")
    return value.astimezone(UTC)


class _Progress:
    """A progress bar on stderr while agreements are evaluated, only on a terminal."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._bar: object | None = None

    def __enter__(self) -> Callable[[], object]:
        if not sys.stderr.isatty():
            return lambda: None
        from rich.progress import Progress

        progress = Progress(console=_stderr(), transient=True)
        task = progress.add_task("evaluating", total=self._total)
        progress.start()
        self._bar = progress
        return lambda: progress.advance(task)

    def __exit__(self, *exc: object) -> None:
        from rich.progress import Progress

        if isinstance(self._bar, Progress):
            self._bar.stop()


def main() -> None:
    """Run the CLI; the one place where Accord's errors become messages and exit codes."""
    try:
        # Without standalone mode, click returns the code of a typer.Exit instead of exiting.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except AccordError as error:
        console = _stderr()
        if error.problems:
            for problem in error.problems:
                console.print(str(problem), markup=False)
        else:
            console.print(f"error: {error.message}", markup=False)
        sys.exit(error.exit_code)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except typer.BadParameter as error:
        error.show()
        sys.exit(error.exit_code)
    except Exception as error:
        # Typer's own usage errors (a missing option, an unknown command) show themselves.
        show = getattr(error, "show", None)
        if callable(show) and hasattr(error, "exit_code"):
            show()
            sys.exit(error.exit_code)
        raise
