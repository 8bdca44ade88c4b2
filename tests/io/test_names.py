"""Which table a data file holds by its name, and the files of a directory that hold none."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.engine.tables import TableName
from accord.io.names import table_of, unknown_files


@pytest.mark.parametrize(("name", "table"), [
    ("tickets.csv", TableName.TICKETS), ("tickets-2026-03.csv", TableName.TICKETS),
    ("ticket_status.jsonl", TableName.TICKET_STATUS),
    ("ticket_status_march.parquet", TableName.TICKET_STATUS),
    ("Incidents.CSV", TableName.INCIDENTS), ("ticket.csv", None), ("notes.csv", None)])
def test_a_files_table_is_the_start_of_its_name(name: str, table: TableName | None) -> None:
    assert table_of(Path(name)) is table


@pytest.mark.parametrize(("name", "hint"), [
    ("ticket.csv", "did you mean tickets.csv?"),
    ("Tickets.CSV", "did you mean tickets.csv?"),
    ("delivery.jsonl", "did you mean deliveries.jsonl?"),
    ("measurements-april.parquet", "did you mean measurements.parquet?"),
    ("notes.csv", "a data directory holds tickets.csv, ticket_status.csv, incidents.csv, "
                  "deliveries.csv, measurements.csv; move other files out of it")])
def test_a_data_file_of_no_table_is_a_problem_naming_the_file_meant(
        tmp_path: Path, name: str, hint: str) -> None:
    (tmp_path / name).write_text("id\n")
    (problem,) = unknown_files(tmp_path)
    assert problem.file == str(tmp_path / name)
    assert problem.hint is not None
    assert problem.hint.startswith(hint)


def test_rejected_rows_other_kinds_of_file_hidden_files_and_folders_are_no_problem(tmp_path: Path) -> None:
    for name in ("tickets.csv", "incidents.parquet", "tickets.rejects.csv", "README.md",
                 ".tickets.csv.swp", ".hidden.csv"):
        (tmp_path / name).write_text("id\n")
    (tmp_path / "old.csv").mkdir()
    assert unknown_files(tmp_path) == []
