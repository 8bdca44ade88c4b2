import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pytest

from accord.engine.tables import INSTANT
from accord.io._canonical import canonical_instants

EXAMPLES = Path(__file__).parents[2] / "examples" / "data"


def arrow_cast(cells: pl.Series) -> pl.Series:
    """What the careful path reads: Arrow's ISO 8601 cast."""
    return pl.Series(cells.name, pc.cast(cells.to_arrow(), pa.timestamp("us", tz="UTC"))).cast(
        INSTANT)


def test_canonical_instants_are_read_as_arrow_reads_them() -> None:
    cells = pl.Series("at", [
        "2026-03-02T09:15:00Z", None, "2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z",
        "1969-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2026-03-29 01:00:00Z", "1970-01-01T00:00:00Z"])
    read = canonical_instants(cells)
    assert read is not None
    assert read.dtype == INSTANT
    assert read.to_physical().to_list() == arrow_cast(cells).to_physical().to_list()
    assert read.null_count() == 1


@pytest.mark.parametrize("cell", [
    "2026-03-02T09:15:60Z", "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z",
    "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
    "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z",
    "2026-3-02T09:15:00Z ", "+202-03-02T09:15:00Z", "2026-03-02T09:15:00z",
    "2026-03-02T09:15:00+00", "2026-03-02T09:15Z", " 2026-03-02T09:15:00Z", "",
    "2026-03-02X09:15:00Z", "2026/03/02T09:15:00Z", "2026-03-02T09-15-00Z",
])
def test_any_other_cell_leaves_the_column_to_the_careful_path(cell: str) -> None:
    assert canonical_instants(pl.Series("at", ["2026-03-02T09:15:00Z", cell])) is None


def test_slices_chunks_and_empty_columns() -> None:
    cells = pl.Series("at", [f"2026-03-{d:02d}T{h:02d}:15:00Z" for d in range(1, 29)
                             for h in range(24)] * 50)
    part = cells.slice(1_000, 20_000)
    assert canonical_instants(part).to_list() == arrow_cast(part).to_list()  # type: ignore[union-attr]
    chunked = pl.concat([cells.head(30), cells.tail(40)], rechunk=False)
    assert chunked.n_chunks() == 2
    assert canonical_instants(chunked).to_list() == arrow_cast(chunked).to_list()  # type: ignore[union-attr]
    assert canonical_instants(pl.Series("at", [], dtype=pl.String)).to_list() == []  # type: ignore[union-attr]
    assert canonical_instants(pl.Series("at", [None, None], dtype=pl.String)).to_list() == [  # type: ignore[union-attr]
        None, None]
    assert canonical_instants(pl.Series("at", [1, 2])) is None


def test_reading_clean_files_does_not_import_pyarrow() -> None:
    code = ("import sys; from pathlib import Path; from accord.io import read_tables; "
            f"read_tables(Path({str(EXAMPLES)!r})); assert 'pyarrow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
