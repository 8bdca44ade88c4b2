import zlib

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
    # A collision: every text gets the same hash, so only the comparison of texts tells
    # them apart (short texts inline in their views, and longer ones byte by byte).
    real = codes._view_codes
    monkeypatch.setattr(codes, "_view_codes", lambda views, data, starts, hashes, valid, size:
                        real(views, data, starts, np.zeros(len(views) // 2, dtype=np.uint64),
                             valid, size))
    values = ["x", "y", None, "x", "a text longer than twelve", "a text longer than twelvE",
              "a text longer than twelve", "y"]
    names, found = dense_codes(pl.Series(values))
    assert [names[c] if c >= 0 else None for c in found.tolist()] == values
    assert len(names) == 4


def test_dense_codes_tell_texts_apart_past_their_first_bytes() -> None:
    values = ["abcdefghijkl", "abcdefghijkm", "abcd", "abcde", "", "ab\x00", "ab",
              "same prefix, then one", "same prefix, then two", "same prefix, then one"]
    names, found = dense_codes(pl.Series(values))
    assert [names[c] for c in found.tolist()] == values
    assert len(names) == 9


def test_dense_codes_of_a_sliced_column_of_several_chunks() -> None:
    column = pl.concat([pl.Series(["x", "a text longer than twelve"]),
                        pl.Series(["y", "a text longer than twelve", "x"])], rechunk=False)
    names, found = dense_codes(column.slice(1, 4))
    assert names == ["a text longer than twelve", "y", "x"]
    assert found.tolist() == [0, 1, 0, 2]


def test_rows_of_finds_each_reference_and_minus_one_for_unknown_ids() -> None:
    ids = pl.Series(["T-1", "T-2", "T-3"])
    refs = pl.Series(["T-3", "T-3", "T-9", "T-1", "T-3"])
    assert rows_of(ids, refs).tolist() == [2, 2, -1, 0, 2]


def test_rows_of_is_exact_when_ids_share_a_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    real = codes._view_join
    def colliding(*args: object) -> object:  # every text, on both sides, hashes to 0
        keys, probes = args[0], args[5]
        assert isinstance(keys, np.ndarray)
        assert isinstance(probes, np.ndarray)
        return real(*args[:3], np.zeros(len(keys) // 2, dtype=np.uint64), args[4],
                    *args[5:8], np.zeros(len(probes) // 2, dtype=np.uint64), args[9])
    monkeypatch.setattr(codes, "_view_join", colliding)
    ids = pl.Series(["T-1", "T-2", "T-3", "ticket number 0004", "ticket number 0005"])
    refs = pl.Series(["T-2", "T-2", "T-9", "T-1", "ticket number 0005", "ticket number 0006",
                      None, "ticket number 0004"])
    assert rows_of(ids, refs).tolist() == [1, 1, -1, 0, 4, -1, -1, 3]


def test_rows_of_long_ids_and_empty_cells() -> None:
    ids = pl.Series([f"00000000-0000-4000-8000-{i:012d}" for i in range(3000)] + [None])
    refs = ids.gather([2999, 5, 5, 3000, 0, 1234]).append(pl.Series(["T-1"]))
    assert rows_of(ids, refs).tolist() == [2999, 5, 5, -1, 0, 1234, -1]


def test_rows_of_names_the_first_row_of_a_repeated_id() -> None:
    assert rows_of(pl.Series(["a", "b", "a"]), pl.Series(["a", "b"])).tolist() == [0, 1]


def _reference_rows(ids: list[str | None], refs: list[str | None]) -> list[int]:
    first: dict[str, int] = {}
    for row, value in enumerate(ids):
        if value is not None:
            first.setdefault(value, row)
    return [first.get(value, -1) if value is not None else -1 for value in refs]


@pytest.mark.parametrize("order", ["sorted", "grouped", "shuffled", "mostly-sorted"])
@pytest.mark.parametrize("ids_order", ["increasing", "unsorted", "repeated", "long", "empty"])
def test_rows_of_agrees_with_a_dictionary(order: str, ids_order: str) -> None:
    # Ids in increasing order are merged, others joined by hashes: each way, every reference
    # must find the first row of its id, whatever the order of the references.
    rng = np.random.default_rng(zlib.crc32(f"{order} {ids_order}".encode()))  # the same each run
    n = 3000
    ids: list[str | None] = [f"T-{i:06d}" for i in range(n)]
    if ids_order == "unsorted":
        ids = [ids[i] for i in rng.permutation(n)]
    elif ids_order == "repeated":
        ids[10] = ids[2000]
    elif ids_order == "long":
        ids = [f"a much longer ticket id {i:06d}" for i in range(n)]
    elif ids_order == "empty":
        ids[5] = None
    known = [value for value in ids if value is not None]
    refs: list[str | None] = [known[i] for i in np.sort(rng.integers(0, len(known), 4000))]
    refs[7] = "T-999999"  # no such ticket
    refs[100] = None
    refs.insert(0, "T-")  # before every id
    if order == "grouped":  # runs of one id, the runs in random order
        runs = [refs[i:i + 4] for i in range(0, len(refs), 4)]
        refs = [value for k in rng.permutation(len(runs)) for value in runs[k]]
    elif order == "shuffled":
        refs = [refs[i] for i in rng.permutation(len(refs))]
    elif order == "mostly-sorted":  # a few references out of order
        for i in rng.integers(0, len(refs), 20):
            refs[i] = known[int(rng.integers(0, len(known)))]
    assert rows_of(pl.Series(ids), pl.Series(refs)).tolist() == _reference_rows(ids, refs)


def test_rows_of_an_empty_side() -> None:
    assert rows_of(pl.Series([], dtype=pl.String), pl.Series(["a", None])).tolist() == [-1, -1]
    assert rows_of(pl.Series(["a"]), pl.Series([], dtype=pl.String)).tolist() == []
