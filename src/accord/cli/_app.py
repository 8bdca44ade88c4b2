"""The Typer application, its shared helpers and :func:`main`, where errors are shown."""

from __future__ import annotations

import gc
import getpass
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

from accord.errors import AccordError, Problem, UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["app", "connect_database", "instant", "main", "out", "stderr", "user",
           "write_output"]

app = typer.Typer(
    name="accord",
    help="Service level agreements as code: exact, explainable compliance and service credits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Commands that run once and end, having built many long-lived objects as they imported
# numba, Polars and pydantic. The cyclic garbage collector would walk those objects again and
# again as more are made (0.2-0.4 s of an `accord evaluate`); what these commands compute is
# columnar and freed by reference counting, so they run without the collector (the public
# `gc.disable`), and give it back when they end. On the way out they freeze the objects then
# alive out of the collector (see :func:`_leave`). A server or a worker loop (`serve`,
# `worker`) keeps the collector, and every other command ends without a freeze.
_ONE_SHOT = frozenset({"evaluate", "validate"})
_one_shot_ran = False


@app.callback()
def _before_the_command(ctx: typer.Context) -> None:
    global _one_shot_ran
    if ctx.invoked_subcommand not in _ONE_SHOT:
        return
    _one_shot_ran = True
    if gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)  # for a caller that goes on (a test's CliRunner)


def _leave(code: int) -> NoReturn:
    """End the process with ``code`` through ``sys.exit``, as Python programs end: the exit
    handlers run, the standard streams are flushed, the modules are taken apart.

    After a one-shot command the objects then alive are first frozen out of the cyclic
    garbage collector (the public ``gc.freeze``): the interpreter's exit would otherwise
    search all of numba's, llvmlite's and Polars' objects for cycles and finalise them, over
    a second after an `accord evaluate`, when the output is written and every file the
    command opened is closed. Python does not promise to finalise objects still alive at exit
    (the ``object.__del__`` documentation); these commands leave nothing that needs it."""
    if _one_shot_ran:
        gc.freeze()
    sys.exit(code)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def user() -> str:
    """The operating system's user name, for ``applied_by`` and ``evaluated_by``."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def connect_database(db: str | None) -> Engine:
    """The database of ``--db`` (else ACCORD_DATABASE_URL, else ./accord.db), at this
    Accord's schema revision; a created or upgraded schema is reported on stderr."""
    from accord.store import connect, get_settings

    return connect(get_settings(db), lambda text: stderr().print(text, markup=False))


def instant(text: str, option: str = "--at") -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError:
        raise UsageError(f"{option} {text!r} is not an ISO 8601 instant "
                         "(write e.g. 2026-04-01T00:00:00Z)") from None
    if value.tzinfo is None:
        raise UsageError(f"{option} {text!r} has no UTC offset (add Z or e.g. +01:00)")
    return value.astimezone(UTC)


def write_output(content: bytes, output: Path | None, what: str) -> None:
    """``content`` to the file ``output``, or to standard output for None or ``-``."""
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}", [Problem(
            f"cannot write the {what}: {error.strerror or error}", file=str(output),
            hint="give --output a path in a directory you can write to")]) from None
    stderr().print(f"wrote {output}", markup=False)


class Progress:
    """A progress bar on stderr while work is done, only on a terminal."""

    def __init__(self, total: int, what: str) -> None:
        self._total = total
        self._what = what
        self._bar: object | None = None

    def __enter__(self) -> Callable[[], object]:
        if not sys.stderr.isatty():
            return lambda: None
        from rich.progress import Progress as Bar

        progress = Bar(console=stderr(), transient=True)
        task = progress.add_task(self._what, total=self._total)
        progress.start()
        self._bar = progress
        return lambda: progress.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self._bar is None:  # no bar was shown: rich.progress need not be imported
            return
        from rich.progress import Progress as Bar

        if isinstance(self._bar, Bar):
            self._bar.stop()


def main() -> None:
    """Run the CLI; the one place where Accord's errors become messages and exit codes."""
    global _one_shot_ran
    _one_shot_ran = False
    try:
        # Without standalone mode, click returns the code of a typer.Exit instead of exiting.
        code = app(standalone_mode=False)
        _leave(code if isinstance(code, int) else 0)
    except AccordError as error:
        console = stderr()
        if error.problems:
            for problem in error.problems:
                console.print(str(problem), markup=False)
        else:
            console.print(f"error: {error.message}", markup=False)
        _leave(error.exit_code)
    except typer.Exit as done:
        _leave(done.exit_code)
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
