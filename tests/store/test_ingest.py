"""Loading data files: keyed upserts, one transaction per file, bad rows refused or set aside."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, text

from accord.engine import TableName
from accord.errors import UsageError
from accord.store.ingest import ingest_file, rejects_path, table_files

EXAMPLES = Path(__file__).parents[2] / "examples"


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def copy_examples(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "data", data)
    return data


def test_loading_a_file_twice_inserts_then_finds_everything_unchanged(engine: Engine) -> None:
    file = EXAMPLES / "data" / "tickets.csv"
    rows = len(file.read_text().splitlines()) - 1
    first = ingest_file(engine, file, TableName.TICKETS)
    assert (first.inserted, first.updated, first.unchanged, first.rejected) == (rows, 0, 0, 0)
    second = ingest_file(engine, file, TableName.TICKETS)
    assert (second.inserted, second.updated, second.unchanged, second.rejected) == (0, 0, rows, 0)
    assert count(engine, "tickets") == rows


@pytest.mark.parametrize("table", list(TableName))
def test_every_table_loads_again_without_duplicates(engine: Engine, table: TableName) -> None:
    file = EXAMPLES / "data" / f"{table.value}.csv"
    ingest_file(engine, file, table)
    again = ingest_file(engine, file, table)
    assert again.inserted == again.updated == 0
    assert count(engine, table.value) == again.unchanged > 0


@pytest.mark.usefixtures("comparison")
def test_an_updated_export_updates_its_changed_rows(engine: Engine, tmp_path: Path) -> None:
    data = copy_examples(tmp_path)
    ingest_file(engine, data / "tickets.csv", TableName.TICKETS)
    lines = (data / "tickets.csv").read_text().splitlines()
    cells = lines[5].split(",")
    cells[3] = "P1" if cells[3] != "P1" else "P2"
    lines[5] = ",".join(cells)
    lines.append("NEW-1,acme,billing-system,P2,2026-03-02T09:00:00Z,,,incident,")
    (data / "tickets.csv").write_text("\n".join(lines) + "\n")
    load = ingest_file(engine, data / "tickets.csv", TableName.TICKETS)
    assert (load.inserted, load.updated, load.unchanged) == (1, 1, len(lines) - 3)
    with engine.connect() as connection:
        priority = connection.execute(text("SELECT priority FROM tickets WHERE id = :id"),
                                      {"id": cells[0]}).scalar_one()
    assert priority == cells[3]


def test_a_file_with_bad_rows_loads_nothing_and_names_every_one(engine: Engine,
                                                                tmp_path: Path) -> None:
    data = copy_examples(tmp_path)
    lines = (data / "tickets.csv").read_text().splitlines()
    lines[3] = lines[3].replace("2026-", "yesterday-", 1)
    lines[7] = re.sub(r",P\d,", ",,", lines[7], count=1)
    (data / "tickets.csv").write_text("\n".join(lines) + "\n")
    load = ingest_file(engine, data / "tickets.csv", TableName.TICKETS)
    assert load.refused
    assert load.rejected == 2
    assert {p.line for p in load.problems} == {4, 8}
    assert all(p.file == str(data / "tickets.csv") for p in load.problems)
    assert count(engine, "tickets") == 0


def test_skipping_bad_rows_loads_the_good_ones_and_writes_the_rejects(engine: Engine,
                                                                      tmp_path: Path) -> None:
    data = copy_examples(tmp_path)
    lines = (data / "tickets.csv").read_text().splitlines()
    bad = lines[3].replace("2026-", "yesterday-", 1)
    lines[3] = bad
    (data / "tickets.csv").write_text("\n".join(lines) + "\n")
    load = ingest_file(engine, data / "tickets.csv", TableName.TICKETS, skip_bad_rows=True)
    assert (load.inserted, load.rejected) == (len(lines) - 2, 1)
    assert load.rejects == rejects_path(data / "tickets.csv") == data / "tickets.rejects.csv"
    rejects = pl.read_csv(data / "tickets.rejects.csv")
    assert rejects["line"].to_list() == [4]
    assert rejects["row"].to_list() == [bad]
    assert "yesterday" in rejects["problems"][0]
    assert count(engine, "tickets") == len(lines) - 2


def test_status_rows_at_one_instant_keep_their_order(engine: Engine, tmp_path: Path) -> None:
    file = tmp_path / "ticket_status.csv"
    file.write_text("ticket_id,at,status\nT-1,2026-03-02T10:00:00Z,resolved\n"
                    "T-1,2026-03-02T10:00:00Z,open\nT-1,2026-03-02T10:00:00Z,resolved\n")
    load = ingest_file(engine, file, TableName.TICKET_STATUS)
    assert load.inserted == 3
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT status, seq, position FROM ticket_status ORDER BY position")).all()
    assert [tuple(r) for r in rows] == [("resolved", 0, 0), ("open", 0, 1), ("resolved", 1, 2)]
    assert ingest_file(engine, file, TableName.TICKET_STATUS).unchanged == 3


@pytest.mark.parametrize(("name", "table"), [
    ("tickets.csv", TableName.TICKETS), ("ticket_status.jsonl", TableName.TICKET_STATUS),
    ("tickets-2026-03.parquet", TableName.TICKETS), ("measurements_march.csv",
                                                      TableName.MEASUREMENTS),
])
def test_a_files_table_is_told_by_its_name(tmp_path: Path, name: str, table: TableName) -> None:
    (tmp_path / name).write_text("")
    assert table_files([tmp_path / name]) == [(tmp_path / name, table)]


def test_a_file_of_no_known_table_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text("")
    with pytest.raises(UsageError):
        table_files([tmp_path / "export.csv"])
    assert table_files([tmp_path / "export.csv"], TableName.INCIDENTS) == [
        (tmp_path / "export.csv", TableName.INCIDENTS)]


def test_a_directory_gives_its_table_files_and_not_the_rejects(tmp_path: Path) -> None:
    data = copy_examples(tmp_path)
    (data / "tickets.rejects.csv").write_text("line,problems,row\n")
    assert [t for _, t in table_files([data])] == list(TableName)


@pytest.fixture(params=["compared here", "compared in the database"])
def comparison(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A file is compared with a table of about its size in Polars, and with a much larger
    table in the database: each way, whatever the sizes."""
    from accord.store import ingest

    here = request.param == "compared here"
    monkeypatch.setattr(ingest, "_compared_here", lambda stored, loaded: here)
    return str(request.param)


@pytest.mark.usefixtures("comparison")
def test_a_reload_writes_only_new_and_changed_rows_and_counts_each(engine: Engine,
                                                                    tmp_path: Path) -> None:
    header = "id,customer,service,priority,created_at,first_response_at,resolved_at,type\n"
    file = tmp_path / "tickets.csv"
    file.write_text(header + "A,acme,desk,P1,2026-03-02T09:00:00Z,,,incident\n"
                    "B,acme,desk,P2,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,,request\n"
                    "C,acme,desk,P3,2026-03-02T09:00:00Z,,,\n")
    assert (ingest_file(engine, file, TableName.TICKETS).inserted) == 3
    # A: a missing value gets one; B: a value goes missing; C: unchanged; D: new.
    file.write_text(header + "A,acme,desk,P1,2026-03-02T09:00:00Z,2026-03-02T09:30:00Z,,incident\n"
                    "B,acme,desk,P2,2026-03-02T09:00:00Z,,,request\n"
                    "C,acme,desk,P3,2026-03-02T09:00:00Z,,,\n"
                    "D,acme,desk,P3,2026-03-03T09:00:00Z,,,\n")
    load = ingest_file(engine, file, TableName.TICKETS)
    assert (load.inserted, load.updated, load.unchanged) == (1, 2, 1)
    with engine.connect() as connection:
        rows = dict(connection.execute(text(
            "SELECT id, first_response_at FROM tickets ORDER BY id")).all())
    assert rows == {"A": 1772443800000000, "B": None, "C": None, "D": None}
    again = ingest_file(engine, file, TableName.TICKETS)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.usefixtures("comparison")
def test_new_rows_into_a_table_of_other_rows_are_all_inserted(engine: Engine,
                                                             tmp_path: Path) -> None:
    ingest_file(engine, EXAMPLES / "data" / "tickets.csv", TableName.TICKETS)
    before = count(engine, "tickets")
    file = tmp_path / "tickets.csv"
    file.write_text("id,customer,service,priority,created_at\n" + "".join(
        f"NEW-{i},acme,desk,P2,2026-03-02T09:00:00Z\n" for i in range(500)))
    load = ingest_file(engine, file, TableName.TICKETS)
    assert (load.inserted, load.updated, load.unchanged) == (500, 0, 0)
    assert count(engine, "tickets") == before + 500


@pytest.mark.usefixtures("comparison")
def test_a_status_row_moved_among_rows_at_its_instant_is_updated(engine: Engine,
                                                                tmp_path: Path) -> None:
    file = tmp_path / "ticket_status.csv"
    file.write_text("ticket_id,at,status\nT-1,2026-03-02T10:00:00Z,open\n"
                    "T-1,2026-03-02T10:00:00Z,resolved\n")
    assert ingest_file(engine, file, TableName.TICKET_STATUS).inserted == 2
    file.write_text("ticket_id,at,status\nT-1,2026-03-02T10:00:00Z,resolved\n"
                    "T-1,2026-03-02T10:00:00Z,open\n")
    load = ingest_file(engine, file, TableName.TICKET_STATUS)
    assert (load.inserted, load.updated, load.unchanged) == (0, 2, 0)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT status FROM ticket_status ORDER BY position")).scalars().all()
    assert rows == ["resolved", "open"]


def test_progress_is_told_of_every_row_in_order(engine: Engine, tmp_path: Path) -> None:
    rows = 120_000  # more than one slice of rows
    file = tmp_path / "tickets.csv"
    file.write_text("id,customer,service,priority,created_at\n" + "".join(
        f"T-{i},acme,desk,P2,2026-03-02T09:00:00Z\n" for i in range(rows)))
    # Rows written go a slice at a time; unchanged ones may be told of all at once.
    for expected, steps in (((rows, 0, 0), 3), ((0, 0, rows), 2)):
        told: list[tuple[int, int]] = []
        load = ingest_file(engine, file, TableName.TICKETS, progress=lambda done, total,
                           told=told: told.append((done, total)))
        assert (load.inserted, load.updated, load.unchanged) == expected
        assert told[0] == (0, rows)
        assert told[-1] == (rows, rows)
        assert len(told) >= steps
        assert [done for done, _ in told] == sorted(done for done, _ in told)


def test_a_refused_file_tells_no_progress(engine: Engine, tmp_path: Path) -> None:
    file = tmp_path / "tickets.csv"
    file.write_text("id,customer,service,priority,created_at\nT-1,acme,desk,P2,yesterday\n")
    told: list[tuple[int, int]] = []
    load = ingest_file(engine, file, TableName.TICKETS,
                       progress=lambda done, total: told.append((done, total)))
    assert load.refused
    assert told == []


def _customer_index_is_used(engine: Engine) -> bool:
    """Whether the database finds a customer's tickets through ix_tickets_customer."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in connection.execute(text(
                "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE customer = 'c-7'")))
        else:
            connection.execute(text("SET enable_seqscan = off"))
            plan = " ".join(str(r[0]) for r in connection.execute(text(
                "EXPLAIN SELECT id FROM tickets WHERE customer = 'c-7'")))
    return "ix_tickets_customer" in plan


def _bulk_first_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """500 tickets of 13 customers, loaded as a bulk first load (the threshold lowered to 10)."""
    from accord.store import ingest

    monkeypatch.setattr(ingest, "_BULK_ROWS", 10)
    file = tmp_path / "tickets.csv"
    file.write_text("id,customer,service,priority,created_at\n" + "".join(
        f"T-{i},c-{i % 13},desk,P2,2026-03-02T09:00:00Z\n" for i in range(500)))
    return file


def test_a_first_bulk_load_builds_the_indexes_again_after_its_rows(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = _bulk_first_load(tmp_path, monkeypatch)
    load = ingest_file(engine, file, TableName.TICKETS)
    assert (load.inserted, load.updated, load.unchanged) == (500, 0, 0)
    assert _customer_index_is_used(engine)
    with engine.connect() as connection:
        found = connection.execute(text(
            "SELECT count(*) FROM tickets WHERE customer = 'c-7'")).scalar_one()
    assert found == len([i for i in range(500) if i % 13 == 7])
    again = ingest_file(engine, file, TableName.TICKETS)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 500)


def test_a_first_bulk_load_that_fails_keeps_its_indexes(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = _bulk_first_load(tmp_path, monkeypatch)

    def fail(done: int, _total: int) -> None:
        if done > 0:
            raise KeyboardInterrupt  # stopped while the rows go in

    with pytest.raises(KeyboardInterrupt):
        ingest_file(engine, file, TableName.TICKETS, progress=fail)
    assert count(engine, "tickets") == 0
    assert _customer_index_is_used(engine)
