from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from accord.engine.tables import TableName
from accord.errors import UsageError
from accord.io import read_table, write_table
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
