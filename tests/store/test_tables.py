"""What is stored reads back exactly as the files it came from (the engine's Tables)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine

from accord.engine import TableName, Tables
from accord.io import read_tables
from accord.store.ingest import ingest_file, table_files
from accord.store.tables import load_tables

EXAMPLES = Path(__file__).parents[2] / "examples"


def ingest_directory(engine: Engine, directory: Path) -> None:
    for file, table in table_files([directory]):
        ingest_file(engine, file, table)


def same(stored: Tables, read: Tables) -> None:
    for table in TableName:
        left, right = stored.get(table), read.get(table)
        assert sorted(left.columns) == sorted(right.columns), table
        keys = [c for c in right.columns if c not in ("value", "good", "total")]
        assert_frame_equal(left.select(right.columns).sort(keys, nulls_last=True),
                           right.sort(keys, nulls_last=True), check_dtypes=True)


def test_the_examples_read_back_as_the_files_read(engine: Engine) -> None:
    ingest_directory(engine, EXAMPLES / "data")
    read, _ = read_tables(EXAMPLES / "data")
    same(load_tables(engine), read)


def test_extra_ticket_columns_and_sub_second_instants_survive(engine: Engine,
                                                              tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "tickets.csv").write_text(
        "id,customer,service,priority,created_at,resolved_at,region,channel\n"
        "T-1,acme,desk,P1,2026-03-02T09:15:00.123456+01:00,,north,\n"
        "T-2,acme,desk,P2,2026-03-02T10:00:00Z,2026-03-03T10:00:00Z,,phone\n")
    (data / "measurements.jsonl").write_text(
        '{"customer": "acme", "measure": "csat", "at": "2026-03-02T10:00:00Z", "value": 0.1}\n'
        '{"customer": "acme", "measure": "csat", "at": "2026-03-02T10:00:00Z", "value": 4.7}\n')
    ingest_directory(engine, data)
    read, _ = read_tables(data)
    stored = load_tables(engine)
    same(stored, read)
    assert stored.tickets.filter(pl.col("id") == "T-1")["region"].to_list() == ["north"]


def test_an_empty_database_reads_as_empty_tables(engine: Engine) -> None:
    stored = load_tables(engine)
    for table in TableName:
        assert stored.get(table).height == 0
        assert stored.get(table).schema == Tables().get(table).schema


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_other_formats_load_the_same_rows(engine: Engine, tmp_path: Path, suffix: str) -> None:
    from accord.io import write_table

    data = tmp_path / "data"
    data.mkdir()
    read, _ = read_tables(EXAMPLES / "data")
    for table in TableName:
        write_table(read.get(table), data / f"{table.value}{suffix}")
    shutil.copy(EXAMPLES / "data" / "tickets.csv", tmp_path / "unused.csv")
    ingest_directory(engine, data)
    same(load_tables(engine), read)


@pytest.fixture
def through_reader(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every SQLite database read as a large one is: by the ADBC driver in a child process
    (and it is)."""
    from accord.store import tables

    read = tables._read_in_child
    answers: list[object] = []

    def reading(database: Path) -> object:
        answers.append(read(database))
        return answers[-1]

    monkeypatch.setattr(tables, "IN_PROCESS_ROWS", 0)
    monkeypatch.setattr(tables, "_read_in_child", reading)
    yield
    if engine.dialect.name == "sqlite":
        assert answers
        assert None not in answers


@pytest.mark.usefixtures("through_reader")
def test_a_large_sqlite_database_reads_back_the_same_through_its_reader(engine: Engine) -> None:
    ingest_directory(engine, EXAMPLES / "data")
    read, _ = read_tables(EXAMPLES / "data")
    same(load_tables(engine), read)


@pytest.mark.usefixtures("through_reader")
def test_columns_missing_in_their_first_rows_read_back_typed(engine: Engine,
                                                             tmp_path: Path) -> None:
    # The ADBC SQLite driver infers a column's type from the rows it reads first.
    rows = 3_000
    data = tmp_path / "data"
    data.mkdir()
    (data / "tickets.csv").write_text(
        "id,customer,service,priority,created_at,resolved_at,type,region\n" + "".join(
            f"T-{i:05d},acme,desk,P2,2026-03-02T09:00:00Z,"
            + ("," if i < rows - 10 else "2026-03-03T09:00:00Z,incident") + ","
            + ("" if i < rows - 10 else "north") + "\n" for i in range(rows)))
    (data / "measurements.csv").write_text(
        "customer,measure,at,value,good,total\n" + "".join(
            f"acme,csat,2026-03-02T09:{i % 60:02d}:00Z,{'' if i < 2_000 else i / 7},,\n"
            for i in range(2_500)))
    ingest_directory(engine, data)
    read, _ = read_tables(data)
    stored = load_tables(engine)
    same(stored, read)
    assert stored.tickets["region"].drop_nulls().to_list() == ["north"] * 10
