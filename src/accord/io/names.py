"""Which table a data file holds, told by its name, and the files of a data directory that
hold none (DESIGN.md §4).

A data directory holds ``tickets.csv``, ``ticket_status.jsonl``, ``incidents.parquet``, … —
one file per table, named exactly after it. Any other data file there (``ticket.csv``,
``Tickets.CSV``, ``tickets-2026-03.csv``) would be passed over without a word and its rows
left out of every figure, so both readers of a directory, ``accord evaluate --data`` and
``accord ingest DIR``, refuse it with :func:`unknown_files`, naming the file it most likely
meant. The rejected rows Accord writes beside a file (``tickets.rejects.csv``) are its own and
pass.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from accord.engine.tables import TableName
from accord.errors import Problem

__all__ = ["DATA_SUFFIXES", "REJECTS_SUFFIX", "table_of", "unknown_files"]

DATA_SUFFIXES = (".csv", ".jsonl", ".parquet")
"""The suffixes of data files, one per format."""

REJECTS_SUFFIX = ".rejects.csv"
"""How the files of rejected rows end (``tickets.rejects.csv``)."""


def table_of(path: Path) -> TableName | None:
    """The table a file given by name holds: the start of its name (``tickets.csv``,
    ``tickets-2026-03.csv``, ``ticket_status_march.jsonl``); None for no table."""
    stem = path.name.lower()
    for suffix in DATA_SUFFIXES:
        stem = stem.removesuffix(suffix)
    matches = [name for name in TableName
               if stem == name.value or (stem.startswith(name.value)
                                         and stem[len(name.value)] in "-_. ")]
    return max(matches, key=lambda name: len(name.value)) if matches else None


def unknown_files(directory: Path) -> list[Problem]:
    """A problem for each data file in ``directory`` that is not named exactly after a table,
    with the table file it most likely meant."""
    known = {f"{name.value}{suffix}" for name in TableName for suffix in DATA_SUFFIXES}
    problems = []
    for file in sorted(directory.iterdir()):
        name = file.name
        lower = name.lower()
        if (name in known or name.startswith(".") or lower.endswith(REJECTS_SUFFIX)
                or not lower.endswith(DATA_SUFFIXES) or not file.is_file()):
            continue
        suffix = next(s for s in DATA_SUFFIXES if lower.endswith(s))
        stem = lower.removesuffix(suffix)
        guess = table_of(file)
        if guess is None:
            close = difflib.get_close_matches(stem, [t.value for t in TableName], n=1,
                                              cutoff=0.6)
            guess = TableName(close[0]) if close else None
        tables = ", ".join(f"{t.value}{suffix}" for t in TableName)
        hint = (f"did you mean {guess.value}{suffix}? Rename it, or move it out of the "
                "directory" if guess is not None
                else f"a data directory holds {tables}; move other files out of it")
        problems.append(Problem("not a table Accord knows, and its rows would be left out",
                                file=str(file), hint=hint))
    return problems
