import numpy as np
import polars as pl
import pytest

from accord.engine import codes
from accord.engine.codes import dense_codes, rows_of


def test_dense_codes_number_values_in_order_of_first_appearance() -> None:
    names, found = dense_codes(pl.Series(["b", "a", None, "b", "c", "a"]))
    assert names == ["b", "a", "c"]
    assert found.tolist() == [0, 1, -1, 0, 2, 1]


def test_dense_codes_of_an_empty_or_all_empty_column() -> None:
    assert dense_codes(pl.Series([], dtype=pl.String))[0] == []
    names, found = dense_codes(pl.Series([None, None], dtype=pl.String))
    assert (names, found.tolist()) == ([], [-1, -1])


def test_dense_codes_of_more_values_than_the_small_table_holds() -> None:
    values = [f"v{i % 5000}" for i in range(12_000)]
    names, found = dense_codes(pl.Series(values))
    assert len(names) == 5000
    assert [names[c] for c in found.tolist()] == values


def test_dense_codes_are_exact_when_two_texts_share_a_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    # A collision: every text gets the same hash, so the table sees one value.
    real = codes._dense_codes
    monkeypatch.setattr(codes, "_dense_codes", lambda hashes, valid, size: real(
        np.zeros_like(hashes), valid, size))
    names, found = dense_codes(pl.Series(["x", "y", None, "x"]))
    assert [names[c] if c >= 0 else None for c in found.tolist()] == ["x", "y", None, "x"]


def test_rows_of_finds_each_reference_and_minus_one_for_unknown_ids() -> None:
    ids = pl.Series(["T-1", "T-2", "T-3"])
    refs = pl.Series(["T-3", "T-3", "T-9", "T-1", "T-3"])
    assert rows_of(ids, refs).tolist() == [2, 2, -1, 0, 2]


def test_rows_of_is_exact_when_ids_share_a_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    real = codes._hash_join
    monkeypatch.setattr(codes, "_hash_join", lambda keys, probes: real(
        np.zeros_like(keys), np.zeros_like(probes)))
    ids = pl.Series(["T-1", "T-2", "T-3"])
    refs = pl.Series(["T-2", "T-2", "T-9", "T-1"])
    assert rows_of(ids, refs).tolist() == [1, 1, -1, 0]


def test_rows_of_names_the_first_row_of_a_repeated_id() -> None:
    assert rows_of(pl.Series(["a", "b", "a"]), pl.Series(["a", "b"])).tolist() == [0, 1]
