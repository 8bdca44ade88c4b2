from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from accord.engine.tables import SCHEMAS, TableName
from accord.errors import DataError, NotFoundError, UsageError
from accord.io import TableRead, read_table, read_tables, write_table
from accord.io.tables import read_rows
from tests.io.files import at, sample, write

TICKETS = "id,customer,service,priority,created_at\n"


def problems_of(path: Path, table: TableName, **options: str) -> list[str]:
    return [str(p) for p in read_table(path, table, **options).problems]


def refusal(path: Path, table: TableName) -> list[str]:
    with pytest.raises(DataError) as caught:
        read_table(path, table)
    return [str(p) for p in caught.value.problems]


# Round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize("table", list(TableName))
def test_every_table_round_trips_through_every_format(
        tmp_path: Path, table: TableName, suffix: str) -> None:
    path = tmp_path / f"{table.value}{suffix}"
    write_table(sample(table), path)
    read = read_table(path, table)
    assert read.problems == []
    assert read.rejected_lines == []
    assert_frame_equal(read.frame, sample(table))


@pytest.mark.parametrize("table", list(TableName))
def test_a_header_without_rows_is_an_empty_table_in_the_schema(
        tmp_path: Path, table: TableName) -> None:
    path = write(tmp_path, f"{table.value}.csv", ",".join(SCHEMAS[table]) + "\n")
    assert read_table(path, table).frame.schema == pl.Schema(SCHEMAS[table])


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", TICKETS + "T-1,acme,desk,P1,2026-03-02T09:15:00Z\n")
    frame = read_table(path, TableName.TICKETS).frame
    assert frame.schema == pl.Schema(SCHEMAS[TableName.TICKETS])
    assert frame["resolved_at"].to_list() == [None]


def test_columns_may_come_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv",
                 "delivered_at,item,id,customer\n2026-03-02T08:10:00Z,tea,D-1,acme\n")
    frame = read_table(path, TableName.DELIVERIES).frame
    assert frame.columns == list(SCHEMAS[TableName.DELIVERIES])
    assert frame.row(0) == ("D-1", "acme", "tea", at("2026-03-02T08:10:00Z"))


# Extra columns -----------------------------------------------------------------------------


def test_extra_ticket_columns_are_kept_as_text(tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv",
                 TICKETS[:-1] + ",region,tier\nT-1,acme,desk,P1,2026-03-02T09:15:00Z,eu,2\n"
                 "T-2,acme,desk,P1,2026-03-02T09:15:00Z,,3\n")
    frame = read_table(path, TableName.TICKETS).frame
    assert frame.columns == [*SCHEMAS[TableName.TICKETS], "region", "tier"]
    assert frame["region"].to_list() == ["eu", None]
    assert frame["tier"].dtype == pl.String
    assert frame["tier"].to_list() == ["2", "3"]


def test_extra_ticket_columns_from_jsonl_numbers_and_parquet_integers_are_text(
        tmp_path: Path) -> None:
    jsonl = write(tmp_path, "tickets.jsonl",
                  '{"id": "T-1", "customer": "acme", "service": "desk", "priority": "P1", '
                  '"created_at": "2026-03-02T09:15:00Z", "tier": 2, "vip": true}\n')
    frame = read_table(jsonl, TableName.TICKETS).frame
    assert frame.select("tier", "vip").row(0) == ("2", "true")
    parquet = tmp_path / "tickets.parquet"
    sample(TableName.TICKETS).with_columns(tier=pl.Series([1, 2, None])).write_parquet(parquet)
    assert read_table(parquet, TableName.TICKETS).frame["tier"].to_list() == ["1", "2", None]


def test_extra_columns_of_other_tables_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv",
                 "id,customer,item,delivered_at,driver\nD-1,acme,tea,2026-03-02T08:10:00Z,Bo\n")
    assert read_table(path, TableName.DELIVERIES).frame.columns == list(
        SCHEMAS[TableName.DELIVERIES])


# Bad cells, located ------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "text", "expected"), [
    (TableName.TICKETS, TICKETS + "T-1,acme,desk,,2026-03-02T09:15:00Z\n",
     ["tickets.csv:2:4: priority: required value is empty — every ticket needs a priority"]),
    (TableName.TICKETS, TICKETS + "T-1,acme,desk,P1,02.03.2026 09:15\n",
     ['tickets.csv:2:5: created_at: "02.03.2026 09:15" is not a timestamp — write ISO 8601 '
      "with a UTC offset, e.g. 2026-03-02T09:15:00Z or 2026-03-02T10:15:00+01:00"]),
    (TableName.TICKETS, TICKETS + "T-1,acme,desk,P1,2026-02-30T09:15:00Z\n",
     ['tickets.csv:2:5: created_at: "2026-02-30T09:15:00Z" is not a timestamp — write ISO 8601 '
      "with a UTC offset, e.g. 2026-03-02T09:15:00Z or 2026-03-02T10:15:00+01:00"]),
    (TableName.TICKETS, TICKETS + "T-1,acme,desk,P1,2026-03-02T09:15:00\n",
     ['tickets.csv:2:5: created_at: "2026-03-02T09:15:00" has no UTC offset — add one (e.g. Z '
      "or +01:00) or name the zone of the data with --data-timezone"]),
    (TableName.MEASUREMENTS, "customer,measure,at,value\nacme,csat,2026-03-02T12:00:00Z,4,5\n",
     ['measurements.csv:2: row has 5 cells but the header has 4 columns — quote cells that '
      "contain a comma or a line break"]),
    (TableName.MEASUREMENTS, "customer,measure,at,value\nacme,csat,2026-03-02T12:00:00Z,4.5x\n",
     ['measurements.csv:2:4: value: "4.5x" is not a number — write e.g. 4.5, -3 or 1e3']),
    (TableName.MEASUREMENTS, "customer,measure,at,good\nacme,csat,2026-03-02T12:00:00Z,nan\n",
     ['measurements.csv:2:4: good: "nan" is not a finite number — write e.g. 4.5, -3 or 1e3']),
    (TableName.INCIDENTS, "id,service,start,kind\nI-1,web,2026-03-02T12:00:00Z,Outage\n",
     ['incidents.csv:2:4: kind: "Outage" is not an incident kind — did you mean outage? '
      "(outage, degraded, maintenance)"]),
    (TableName.INCIDENTS, "id,service,start,kind\nI-1,web,2026-03-02T12:00:00Z,down\n",
     ['incidents.csv:2:4: kind: "down" is not an incident kind — write one of outage, '
      "degraded, maintenance"]),
    (TableName.DELIVERIES, "id,customer,item,delivered_at\nD-1,acme,tea,2026-03-02T08:00Z\n"
     "D-2,acme,tea,2026-03-03T08:00Z\nD-1,acme,tea,2026-03-04T08:00Z\n",
     ['deliveries.csv:4:1: id: id "D-1" is also on line 2 — give each delivery its own id']),
])
def test_a_bad_cell_is_reported_with_file_line_column_and_what_was_expected(
        tmp_path: Path, table: TableName, text: str, expected: list[str]) -> None:
    path = write(tmp_path, f"{table.value}.csv", text)
    assert problems_of(path, table) == [f"{tmp_path}/{line}" for line in expected]


def test_every_bad_cell_of_a_row_is_reported_in_column_order(tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", TICKETS + "T-1,acme,desk,P1,2026-03-02T09:15:00Z\n"
                 "T-1,,desk,P1,soon\n")
    assert [p.split(": ", 2)[:2] for p in problems_of(path, TableName.TICKETS)] == [
        [f"{tmp_path}/tickets.csv:3:1", "id"],
        [f"{tmp_path}/tickets.csv:3:2", "customer"],
        [f"{tmp_path}/tickets.csv:3:5", "created_at"],
    ]


def test_each_duplicate_names_the_line_of_the_first(tmp_path: Path) -> None:
    row = "I-7,web,2026-03-02T12:00:00Z,outage\n"
    path = write(tmp_path, "incidents.csv", "id,service,start,kind\n" + row * 3)
    read = read_table(path, TableName.INCIDENTS)
    assert [(p.line, p.message) for p in read.problems] == [
        (3, 'id "I-7" is also on line 2'), (4, 'id "I-7" is also on line 2')]
    assert read.frame.height == 1


def test_line_numbers_count_physical_lines_across_quoted_line_breaks(tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", TICKETS[:-1] + ",note\n"
                 'T-1,acme,desk,P1,2026-03-02T09:15:00Z,"two\nlines, and ""quotes"""\n'
                 "\n"
                 'T-2,acme,desk,P1,2026-03-02T09:15:00Z,"three\n\nlines"\n'
                 "T-3,acme,desk,P1,bad\n")
    read = read_table(path, TableName.TICKETS)
    assert [(p.line, p.column) for p in read.problems] == [(8, 5)]
    assert read.frame["note"].to_list() == ['two\nlines, and "quotes"', "three\n\nlines"]


def test_crlf_line_endings_and_a_byte_order_mark_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", "\ufeff" + TICKETS.replace("\n", "\r\n")
                 + "T-1,acme,desk,P1,2026-03-02T09:15:00Z\r\nT-2,acme,desk,P1,x\r\n")
    read = read_table(path, TableName.TICKETS)
    assert read.frame["id"].to_list() == ["T-1"]
    assert [(p.line, p.column, p.path) for p in read.problems] == [(3, 5, "created_at")]


def test_jsonl_cells_are_located_by_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, "incidents.jsonl",
                 '{"id": "I-1", "service": "web", "start": "2026-03-02T12:00:00Z", '
                 '"kind": "outage"}\n\n'
                 '{"id": "I-2", "service": "web", "start": "yesterday", "kind": "outage"}\n')
    assert problems_of(path, TableName.INCIDENTS) == [
        f'{tmp_path}/incidents.jsonl:3: start: "yesterday" is not a timestamp — write ISO 8601 '
        "with a UTC offset, e.g. 2026-03-02T09:15:00Z or 2026-03-02T10:15:00+01:00"]


def test_a_jsonl_key_missing_from_one_object_is_an_empty_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.jsonl",
                 '{"id": "D-1", "customer": "acme", "item": "tea", '
                 '"delivered_at": "2026-03-02T08:10:00Z"}\n'
                 '{"id": "D-2", "customer": "acme", "delivered_at": "2026-03-02T08:10:00Z"}\n')
    assert problems_of(path, TableName.DELIVERIES) == [
        f"{tmp_path}/deliveries.jsonl:2: item: required value is empty — every delivery needs "
        "an item"]


def test_parquet_cells_are_located_by_row(tmp_path: Path) -> None:
    path = tmp_path / "incidents.parquet"
    sample(TableName.INCIDENTS).with_columns(kind=pl.Series(["outage", "gone"])).write_parquet(
        path)
    read = read_table(path, TableName.INCIDENTS)
    assert [str(p) for p in read.problems] == [
        f'{path}: row 2: kind: "gone" is not an incident kind — write one of outage, degraded, '
        "maintenance"]
    assert read.rejected_lines == [2]


# Whole-file problems -----------------------------------------------------------------------


def test_a_missing_required_column_names_the_file_the_column_and_the_columns_found(
        tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", "id,customer,service,created\nT-1,acme,desk,x\n")
    assert refusal(path, TableName.TICKETS)[:2] == [
        f"{path}:1: priority: required column 'priority' is missing — the columns found are: "
        "id, customer, service, created",
        f"{path}:1: created_at: required column 'created_at' is missing — the columns found "
        "are: id, customer, service, created",
    ]


def test_a_missing_column_is_reported_with_the_bad_cells_of_the_others(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv", "id,customer,delivered_at\nD-1,,x\n")
    assert [p.split(": ")[1] for p in refusal(path, TableName.DELIVERIES)] == [
        "item", "customer", "delivered_at"]


@pytest.mark.parametrize(("suffix", "found"), [(".jsonl", "keys found are: id"),
                                               (".parquet", "columns found are: id")])
def test_missing_columns_are_reported_for_jsonl_and_parquet(
        tmp_path: Path, suffix: str, found: str) -> None:
    path = tmp_path / f"deliveries{suffix}"
    write_table(pl.DataFrame({"id": ["D-1"]}), path)
    problems = refusal(path, TableName.DELIVERIES)
    assert problems[0] == (f"{path}: customer: required column 'customer' is missing — the "
                           f"{found}")


def test_an_empty_csv_file_lacks_every_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "ticket_status.csv", "")
    assert len(refusal(path, TableName.TICKET_STATUS)) == 3


def test_an_empty_jsonl_file_is_an_empty_table(tmp_path: Path) -> None:
    path = write(tmp_path, "ticket_status.jsonl", "\n\n")
    assert read_table(path, TableName.TICKET_STATUS).frame.height == 0


def test_a_repeated_header_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv",
                 "id,customer,item,delivered_at,id\nD-1,acme,tea,2026-03-02T08:10:00Z,D-2\n")
    assert refusal(path, TableName.DELIVERIES) == [
        f"{path}:1:5: column 'id' appears twice in the header (columns 1 and 5) — keep one "
        "of them"]


def test_a_parquet_column_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.parquet"
    sample(TableName.DELIVERIES).with_columns(delivered_at=pl.Series([17])).write_parquet(path)
    assert refusal(path, TableName.DELIVERIES) == [
        f"{path}: delivered_at: holds Int64, not timestamps — store timestamps with a time "
        "zone, or as ISO 8601 text"]


def test_a_file_that_is_not_parquet_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.parquet", "id,customer\n")
    assert refusal(path, TableName.DELIVERIES)[0].startswith(
        f"{path}: is not a readable Parquet file")


def test_an_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=re.escape("name the file .csv, .jsonl or .parquet")):
        read_table(write(tmp_path, "tickets.xlsx", ""), TableName.TICKETS)


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_table(tmp_path / "tickets.csv", TableName.TICKETS)


# What is kept ------------------------------------------------------------------------------


def test_the_good_rows_are_kept_and_the_bad_lines_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "measurements.csv", "customer,measure,at,value\n"
                 "acme,csat,2026-03-02T12:00:00Z,4\n"
                 "acme,csat,2026-03-02T12:00:00Z,four\n"
                 "acme,,2026-03-02T12:00:00Z,\n"
                 "acme,csat,2026-03-03T12:00:00+01:00,5\n")
    read = read_table(path, TableName.MEASUREMENTS)
    assert isinstance(read, TableRead)
    assert read.rejected_lines == [3, 4]
    assert read.frame.select("at", "value").rows() == [
        (at("2026-03-02T12:00:00Z"), 4.0), (at("2026-03-03T11:00:00Z"), 5.0)]


def test_status_rows_keep_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "ticket_status.csv", "ticket_id,at,status\n"
                 "T-1,2026-03-02T12:00:00Z,closed\nT-1,2026-03-02T10:00:00Z,open\n"
                 "T-1,2026-03-02T12:00:00Z,resolved\n")
    assert read_table(path, TableName.TICKET_STATUS).frame["status"].to_list() == [
        "closed", "open", "resolved"]


def test_naive_timestamps_are_read_in_the_named_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv", "id,customer,item,delivered_at\n"
                 "D-1,acme,tea,2026-03-02T09:00:00\nD-2,acme,tea,2026-07-01T09:00:00+00:00\n")
    read = read_table(path, TableName.DELIVERIES, data_timezone="Europe/Berlin")
    assert read.frame["delivered_at"].to_list() == [at("2026-03-02T08:00:00Z"),
                                                    at("2026-07-01T09:00:00Z")]


def test_an_unknown_data_timezone_is_a_usage_error(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv", "id,customer,item,delivered_at\n")
    with pytest.raises(UsageError, match="'Europe/Atlantis' is not a time zone"):
        read_table(path, TableName.DELIVERIES, data_timezone="Europe/Atlantis")


# Directories -------------------------------------------------------------------------------


def test_a_directory_is_read_table_by_table_and_missing_tables_are_empty(tmp_path: Path) -> None:
    write_table(sample(TableName.TICKETS), tmp_path / "tickets.csv")
    write_table(sample(TableName.INCIDENTS), tmp_path / "incidents.parquet")
    write_table(sample(TableName.MEASUREMENTS), tmp_path / "measurements.jsonl")
    write(tmp_path, "notes.txt", "not a table")
    write(tmp_path, "tickets.csv.bak", "not a table either")
    tables, problems = read_tables(tmp_path)
    assert problems == []
    for table in (TableName.TICKETS, TableName.INCIDENTS, TableName.MEASUREMENTS):
        assert_frame_equal(tables.get(table), sample(table))
    for table in (TableName.TICKET_STATUS, TableName.DELIVERIES):
        assert tables.get(table).height == 0
        assert tables.get(table).schema == pl.Schema(SCHEMAS[table])


def test_by_default_every_problem_in_every_file_is_raised(tmp_path: Path) -> None:
    write(tmp_path, "tickets.csv", TICKETS + "T-1,acme,desk,P1,later\nT-2,acme,desk,P1,never\n")
    write(tmp_path, "incidents.csv", "id,service,start,kind\nI-1,web,2026-03-02T12:00Z,boom\n")
    write(tmp_path, "deliveries.csv", "id,customer,delivered_at\n")
    with pytest.raises(DataError) as caught:
        read_tables(tmp_path)
    assert [(Path(p.file or "").name, p.line, p.path) for p in caught.value.problems] == [
        ("tickets.csv", 2, "created_at"), ("tickets.csv", 3, "created_at"),
        ("incidents.csv", 2, "kind"), ("deliveries.csv", 1, "item")]


def test_skipping_bad_rows_returns_the_good_ones_and_lists_every_skipped_one(
        tmp_path: Path) -> None:
    write(tmp_path, "tickets.csv", TICKETS + "T-1,acme,desk,P1,later\n"
          "T-2,acme,desk,P1,2026-03-02T09:15:00Z\n")
    write(tmp_path, "incidents.jsonl",
          '{"id": "I-1", "service": "web", "start": "2026-03-02T12:00:00Z", "kind": "outage"}\n'
          "{oops\n")
    tables, skipped = read_tables(tmp_path, skip_bad_rows=True)
    assert tables.tickets["id"].to_list() == ["T-2"]
    assert tables.incidents["id"].to_list() == ["I-1"]
    assert [(Path(p.file or "").name, p.line) for p in skipped] == [
        ("tickets.csv", 2), ("incidents.jsonl", 2)]


def test_skipping_bad_rows_still_refuses_a_file_without_its_columns(tmp_path: Path) -> None:
    write(tmp_path, "tickets.csv", "id\nT-1\n")
    with pytest.raises(DataError, match="required column 'customer' is missing"):
        read_tables(tmp_path, skip_bad_rows=True)


def test_a_table_given_in_two_formats_is_refused(tmp_path: Path) -> None:
    write_table(sample(TableName.DELIVERIES), tmp_path / "deliveries.csv")
    write_table(sample(TableName.DELIVERIES), tmp_path / "deliveries.jsonl")
    with pytest.raises(DataError) as caught:
        read_tables(tmp_path, skip_bad_rows=True)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path}: table deliveries is given 2 times: deliveries.csv, deliveries.jsonl — "
        "keep one file per table"]


def test_a_missing_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such directory"):
        read_tables(tmp_path / "nowhere")


def test_a_file_is_not_a_data_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        read_tables(write(tmp_path, "tickets.csv", TICKETS))


def test_the_data_timezone_is_checked_before_any_file_is_read(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        read_tables(tmp_path / "nowhere", data_timezone="Mars/Olympus")


def test_a_stray_quote_inside_a_cell_does_not_shift_the_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "deliveries.csv", "id,customer,item,delivered_at\n"
                 'D-1,ac"me,tea,2026-03-02T08:10:00Z\nD-2,acme,tea,bad\n')
    read = read_table(path, TableName.DELIVERIES)
    assert read.frame["customer"].to_list() == ['ac"me']
    assert [(p.line, p.column) for p in read.problems] == [(3, 4)]


def test_an_extra_parquet_ticket_column_that_cannot_be_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tickets.parquet"
    sample(TableName.TICKETS).with_columns(tags=pl.Series([["a"], [], None])).write_parquet(path)
    assert refusal(path, TableName.TICKETS) == [
        f"{path}: tags: holds List(String), not text — store this column as text"]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_an_instant_outside_the_supported_range_is_located_in_every_format(
        tmp_path: Path, suffix: str) -> None:
    # A clean file (the compiled fast path) but for one year: the careful path names the cell.
    frame = pl.DataFrame({"id": ["T-1", "T-2"], "customer": ["acme"] * 2,
                          "service": ["desk"] * 2, "priority": ["P1"] * 2,
                          "created_at": ["2026-03-02T09:15:00Z", "0001-03-02T09:15:00Z"]})
    path = tmp_path / f"tickets{suffix}"
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".jsonl":
        frame.write_ndjson(path)
    else:
        frame.with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC")
                           ).write_parquet(path)
    read = read_table(path, TableName.TICKETS)
    assert read.frame["id"].to_list() == ["T-1"]
    assert read.rejected_lines == [3 if suffix == ".csv" else 2]
    assert len(read.problems) == 1
    where = {".csv": f"{path}:3:5: created_at", ".jsonl": f"{path}:2: created_at",
             ".parquet": f"{path}: row 2: created_at"}[suffix]
    assert str(read.problems[0]).startswith(where + ": ")
    assert "is outside the supported range (1970-01-01 to 2199-12-31 UTC)" in str(
        read.problems[0])


def test_an_instant_outside_the_supported_range_in_posted_rows_is_a_bad_row() -> None:
    rows = [{"ticket_id": "T-1", "at": "2026-03-02T09:15:00Z", "status": "open"},
            {"ticket_id": "T-1", "at": "+10000-01-01T00:00:00Z", "status": "resolved"}]
    read = read_rows(rows, TableName.TICKET_STATUS, source="batch")
    assert read.rejected_lines == [2]
    assert [p.path for p in read.problems] == ["at"]
    assert read.frame.height == 1
