from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from accord.engine.tables import TableName
from accord.errors import UsageError
from accord.io import read_table, write_table
from accord.io.writer import (
    EVIDENCE_COLUMNS,
    evidence_csv,
    evidence_frame,
    neutralise_formulas,
)
from tests.io.files import at, sample

FRAME = pl.DataFrame({
    "when": pl.Series([at("2026-03-02T09:15:00Z"), at("2026-03-02T09:15:00.25Z"), None],
                      dtype=pl.Datetime("us", "UTC")),
    "where": ["a, b", "line\nbreak", None],
})


def test_csv_instants_are_iso_utc_with_z(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_table(FRAME, path)
    assert path.read_text() == (
        'when,where\n2026-03-02T09:15:00Z,"a, b"\n2026-03-02T09:15:00.250Z,"line\nbreak"\n,\n')


def test_jsonl_instants_are_iso_utc_with_z_and_missing_values_null(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    write_table(FRAME.with_columns(pl.col("when").dt.convert_time_zone("Asia/Tokyo")), path)
    assert [json.loads(line) for line in path.read_text().splitlines()] == [
        {"when": "2026-03-02T09:15:00Z", "where": "a, b"},
        {"when": "2026-03-02T09:15:00.250Z", "where": "line\nbreak"},
        {"when": None, "where": None},
    ]


def test_naive_timestamps_are_written_without_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_table(FRAME.with_columns(pl.col("when").dt.replace_time_zone(None)).head(1), path)
    assert path.read_text() == 'when,where\n2026-03-02T09:15:00,"a, b"\n'


def test_parquet_keeps_the_types(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    write_table(FRAME, path)
    assert pl.read_parquet(path).equals(FRAME)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_what_is_written_reads_back_the_same(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"measurements{suffix}"
    frame = sample(TableName.MEASUREMENTS).with_columns(
        value=pl.Series([1 / 3, 1e300, -0.0]))
    write_table(frame, path)
    assert read_table(path, TableName.MEASUREMENTS).frame.equals(frame)


def test_an_unknown_suffix_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_table(FRAME, tmp_path / "t.xlsx")


# The evidence CSV: one writer for the CLI, the portal and the report.


@pytest.mark.parametrize(("cell", "written"), [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("T-1", "T-1"), ("a=b", "a=b"), ("", ""), (None, None)])
def test_a_text_cell_a_spreadsheet_would_run_is_written_after_a_quote(
        cell: str | None, written: str | None) -> None:
    frame = pl.DataFrame({"ticket": [cell], "elapsed_s": [-5]},
                         schema={"ticket": pl.String, "elapsed_s": pl.Int64})
    assert neutralise_formulas(frame).to_dicts() == [{"ticket": written, "elapsed_s": -5}]


def test_the_evidence_csv_of_stored_items_has_every_column_in_one_format() -> None:
    items = [{"agreement": "a", "customer": "c", "objective": "first-response",
              "ticket": "=1+1", "state": "stopped", "elapsed_s": 600, "target_s": 3600,
              "due_at": "2026-03-02T10:00:00Z", "met": True, "period": "2026-03"},
             {"agreement": "a", "customer": "c", "objective": "uptime", "incident": "I-1",
              "kind": "outage", "start": "2026-03-02T10:00:00Z", "end": None,
              "downtime_s": 60, "met": False, "period": "2026-03"}]
    text = evidence_csv(evidence_frame(items, {"first-response": "response_time",
                                               "uptime": "availability"}))
    header, first, second = text.splitlines()
    assert tuple(header.split(",")) == EVIDENCE_COLUMNS
    row = dict(zip(EVIDENCE_COLUMNS, first.split(","), strict=True))
    assert row["ticket"] == "'=1+1"
    assert row["metric"] == "response_time"
    assert row["elapsed_s"] == "600"
    assert row["met"] == "true"
    assert row["incident"] == ""
    row = dict(zip(EVIDENCE_COLUMNS, second.split(","), strict=True))
    assert row["metric"] == "availability"
    assert row["downtime_s"] == "60"
    assert row["met"] == "false"
    assert row["end"] == ""
