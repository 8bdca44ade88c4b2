"""The fast path must give exactly what the careful checks give, or step aside."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from accord.engine.tables import SCHEMAS, TableName
from accord.errors import DataError, Problem
from accord.io import write_table
from accord.io._clean import read_clean
from accord.io._csv_file import read_csv
from accord.io._jsonl_file import read_jsonl
from accord.io._parquet_file import read_parquet
from accord.io._source import LINE, Format, Locator, RawTable
from accord.io.tables import TableRead, _check, _check_carefully
from tests.io.files import sample, write

_READERS = {".csv": read_csv, ".jsonl": read_jsonl, ".parquet": read_parquet}
Check = Callable[[RawTable, TableName, str | None], TableRead]
DELIVERY = "D-1,acme,tea,2026-03-02T08:10:00Z\n"


def assert_same_as_careful(raw: RawTable, table: TableName) -> None:
    (fast, *fast_problems), (careful, *careful_problems) = (
        outcome(check, raw, table) for check in (_check, _check_carefully))
    assert fast_problems == careful_problems
    if fast is None or careful is None:
        assert fast is careful
    else:
        assert_frame_equal(fast, careful)


def outcome(check: Check, raw: RawTable,
            table: TableName) -> tuple[pl.DataFrame | None, list[Problem], list[int]]:
    """The frame, problems and rejected lines of a read; no frame and the problems if refused."""
    try:
        read = check(raw, table, None)
    except DataError as refusal:
        return None, refusal.problems, []
    return read.frame, read.problems, read.rejected_lines


def as_text(table: TableName) -> pl.DataFrame:
    """The sample frame as clean text cells: whole-second instants in the canonical shape."""
    return sample(table).with_columns(
        pl.col(name).dt.truncate("1s").dt.to_string("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(dtype, pl.Datetime) else pl.col(name).cast(pl.String)
        for name, dtype in SCHEMAS[table].items())


def deliveries(*cells: str) -> RawTable:
    """A deliveries table as the CSV reader gives it, one row per delivery instant."""
    frame = pl.DataFrame({
        "id": [f"D-{n}" for n in range(len(cells))], "customer": "acme", "item": "tea",
        "delivered_at": list(cells), LINE: list(range(2, len(cells) + 2)),
    }, schema_overrides={"delivered_at": pl.String})
    return RawTable(Locator("deliveries.csv", Format.CSV, tuple(frame.columns[:-1])), frame)


@pytest.mark.parametrize("suffix", list(_READERS))
@pytest.mark.parametrize("table", list(TableName))
def test_a_clean_table_takes_the_fast_path_to_the_careful_frame(
        tmp_path: Path, table: TableName, suffix: str) -> None:
    path = tmp_path / f"{table.value}{suffix}"
    write_table(as_text(table), path)
    raw = _READERS[suffix](path)
    fast = read_clean(raw, table)
    assert fast is not None
    careful = _check_carefully(raw, table, None)
    assert careful.problems == []
    assert_frame_equal(fast, careful.frame)


@pytest.mark.parametrize(("table", "text"), [
    (TableName.TICKETS, "id,customer,service,priority,created_at,region\n"
                        "T-1,acme,desk,P1,2026-03-02T09:15:00Z,eu\n"),
    (TableName.TICKETS, "id,customer,service,priority,created_at\n"
                        "T-1,acme,desk,P1,2026-03-02T09:15:00Z\n"
                        "T-1,acme,desk,P1,2026-03-02T09:15:00Z\n"),
    (TableName.TICKETS, "id,customer,service,priority,created_at\n"
                        "T-1,acme,,P1,2026-03-02T09:15:00Z\n"),
    (TableName.TICKETS, "id,customer,service,priority,created_at\n"
                        "T-1,acme,desk,P1, 2026-03-02T09:15:00Z\n"),
    (TableName.TICKETS, "id,customer,service,priority\nT-1,acme,desk,P1\n"),
    (TableName.INCIDENTS, "id,service,start,kind\nI-1,web,2026-03-02T12:00:00Z,Outage\n"),
    (TableName.INCIDENTS, "id,service,start,end,kind\nI-1,web,2026-03-02T12:00:00Z,,outage\n"),
    (TableName.MEASUREMENTS, "customer,measure,at,value,good\n"
                             "acme,csat,2026-03-02T12:00:00Z, 4.5 ,1e3\n"),
    (TableName.MEASUREMENTS, "customer,measure,at,value\nacme,csat,2026-03-02T12:00:00Z,inf\n"),
    (TableName.MEASUREMENTS, "customer,measure,at,value\nacme,csat,2026-03-02T12:00:00Z,4,5\n"),
    (TableName.DELIVERIES, "id,customer,item,delivered_at\n" + DELIVERY + DELIVERY),
    (TableName.DELIVERIES, "id,customer,item,delivered_at\nD-1,acme,tea,2026-03-02T08:10Z\n"),
    (TableName.DELIVERIES, 'id,customer,item,delivered_at\nD-1,acme,"",2026-03-02T08:10:00Z\n'),
])
def test_clean_and_bad_tables_read_the_same_on_either_path(
        tmp_path: Path, table: TableName, text: str) -> None:
    assert_same_as_careful(read_csv(write(tmp_path, f"{table.value}.csv", text)), table)


@pytest.mark.parametrize("cell", [
    "2026-03-02T09:15:00Z", "2026-03-02 09:15:00Z", "2026-03-02t09:15:00Z",
    "2026-03-02T09:15:00z", "+026-03-02T09:15:00Z", "2026-3-02T09:15:00ZZ",
    "2026-03-02T09:15:0aZ", "2026-03-02T9:15:00 Z", "2026-02-30T09:15:00Z",
    "2024-02-29T09:15:00Z", "2026-03-02T24:00:00Z", "2026-03-02T23:59:60Z",
    "2026-03-02T09:15+01Z", "2026-03-02T09:1500ZZ", "2026-03-02T09:15:00",
    "2026-03-02T09:15:00.5Z", "2026-03-02T09:15:00+01:00", "２026-03-02T09:15:00Z",
])
def test_an_instant_is_read_the_same_on_either_path(cell: str) -> None:
    assert_same_as_careful(deliveries(cell, "2026-03-03T10:00:00Z"), TableName.DELIVERIES)


def test_instants_of_every_shape_near_the_canonical_one_read_the_same_on_either_path() -> None:
    rng = random.Random(20260302)
    alphabet = "0123456789+-: TtZz.,/a\té"
    fast_reads = 0
    for _ in range(300):
        cell = list("2026-03-02T09:15:00Z")
        for _ in range(rng.choice([1, 1, 2, 3])):
            cell[rng.randrange(len(cell))] = rng.choice(alphabet)
        raw = deliveries("".join(cell))
        fast = read_clean(raw, TableName.DELIVERIES)
        if fast is not None:
            fast_reads += 1
            careful = _check_carefully(raw, TableName.DELIVERIES, None)
            assert careful.problems == [], cell
            assert_frame_equal(fast, careful.frame)
    assert fast_reads > 10


def test_an_id_repeated_far_apart_is_found(tmp_path: Path) -> None:
    ids = [f"T-{n}" for n in range(5000)] + ["T-17"]
    frame = pl.DataFrame({"id": ids, "customer": "acme", "service": "desk", "priority": "P1",
                          "created_at": "2026-03-02T09:15:00Z"})
    path = tmp_path / "tickets.csv"
    frame.write_csv(path)
    raw = read_csv(path)
    assert read_clean(raw, TableName.TICKETS) is None
    assert [(p.line, p.message) for p in _check(raw, TableName.TICKETS, None).problems] == [
        (5002, 'id "T-17" is also on line 19')]


def test_a_parquet_column_of_another_type_goes_the_careful_way(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.parquet"
    sample(TableName.DELIVERIES).write_parquet(path)
    raw = read_parquet(path)
    assert read_clean(raw, TableName.DELIVERIES) is None
    assert _check(raw, TableName.DELIVERIES, None).frame.schema == pl.Schema(
        SCHEMAS[TableName.DELIVERIES])


def test_an_instant_outside_the_supported_range_leaves_the_table_to_the_careful_path() -> None:
    from accord.io._clean import read_clean
    from accord.io._source import LINE, Format, Locator, RawTable

    def raw(created: str) -> RawTable:
        return RawTable(Locator("tickets.csv", Format.CSV), pl.DataFrame({
            LINE: [2, 3], "id": ["T-1", "T-2"], "customer": ["acme"] * 2,
            "service": ["desk"] * 2, "priority": ["P1"] * 2,
            "created_at": ["2026-03-02T09:15:00Z", created]}))

    assert read_clean(raw("2199-12-31T23:59:59Z"), TableName.TICKETS) is not None
    assert read_clean(raw("1969-12-31T23:59:59Z"), TableName.TICKETS) is None
    assert read_clean(raw("2200-01-01T00:00:00Z"), TableName.TICKETS) is None
