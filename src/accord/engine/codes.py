"""Text columns as integer codes, and rows found by their ids: hash tables over whole columns.

A text column becomes dense codes (``0, 1, …`` in order of first appearance, ``-1`` for an
empty cell) and an id column is joined to the column that refers to it (status rows to their
tickets), both through open-addressing tables of Polars' 64-bit hashes of the text, one
compiled pass each. Hashes are a shortcut, never the answer: every code and every joined row is
then checked text against text, and when two different texts share a hash an exact (slower)
Polars path gives the result instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine._numba import numba

__all__ = ["dense_codes", "read_only", "rows_of"]

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int32]
_SMALL = 1 << 12
"""Slots tried first: up to 2,048 distinct values in a table that stays in the L1/L2 cache."""
_PARTITION_BITS = 10


def read_only(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``array``, marked read-only. Numba compiles a kernel once per kind of argument, and
    read-only is a kind: NumPy views of Polars columns are read-only unless they are empty,
    so every column a kernel reads is marked so, and an empty table does not cost a compile."""
    array.setflags(write=False)
    return array


def dense_codes(series: pl.Series) -> tuple[list[str], Codes]:
    """The distinct values of a text column, in order of first appearance, and each row's
    index among them (-1 when empty)."""
    nulls = series.has_nulls()
    valid = series.is_not_null()
    # Without empty cells the kernel is told so by an empty mask (no column to build).
    present = valid.to_numpy() if nulls else np.zeros(0, dtype=np.bool_)
    hashes = read_only(series.hash().to_numpy())
    codes, firsts, complete = _dense_codes(hashes, present, _SMALL)
    if not complete:  # many distinct values: a table of twice the rows
        codes, firsts, complete = _dense_codes(hashes, present, _table_size(2 * len(series)))
    names = series.gather(firsts)
    # Each row against the name its hash gave it (an empty cell meets a null: not compared).
    shown = pl.Series(codes).set(~valid, None) if nulls else pl.Series(codes)
    if len(names) == 0 or bool((series == names.gather(shown)).all()):
        return names.to_list(), codes
    values = series.drop_nulls().unique(maintain_order=True).to_list()  # two texts share a hash
    exact = series.cast(pl.Enum(values)).to_physical().fill_null(-1)
    return values, exact.to_numpy().astype(np.int32)


def _table_size(at_least: int) -> int:
    return 1 << max(at_least, 1).bit_length()


def rows_of(ids: pl.Series, refs: pl.Series) -> Ints:
    """The row of ``ids`` each of ``refs`` names (-1 for none; the first row of a repeated id)."""
    rows: Ints
    rows, unique = _hash_join(read_only(ids.hash().to_numpy()),
                              read_only(refs.hash().to_numpy()))
    found = rows >= 0
    if unique and found.all() and bool((ids.gather(rows) == refs).all()):
        return rows
    if unique and bool((ids.gather(rows[found]) == refs.filter(pl.Series(found))).all()):
        return rows
    first = pl.DataFrame({"id": ids, "_row": np.arange(len(ids))}).unique(
        "id", keep="first", maintain_order=True)
    joined = pl.DataFrame({"id": refs}).join(first, on="id", how="left", maintain_order="left")
    return joined.get_column("_row").fill_null(-1).to_numpy().astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _dense_codes(hashes, valid, size):  # type: ignore[no-untyped-def]
    """Dense codes of hashes in order of first appearance (rows not ``valid`` get -1; an empty
    ``valid``: every row is), each code's first row, and whether the ``size`` slots (a power
    of two) held them all at most half full; a small table stays in the cache, so a column of
    a few customers is read at memory speed."""
    n = hashes.shape[0]
    limit = size // 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    keys = np.zeros(size, dtype=np.uint64)
    codes = np.full(n, -1, dtype=np.int32)
    firsts = np.empty(limit, dtype=np.int64)
    count = 0
    every = valid.shape[0] == 0
    for i in range(n):
        if not every and not valid[i]:
            continue
        h = hashes[i]
        j = h & mask
        while slots[j] >= 0 and keys[j] != h:
            j = (j + np.uint64(1)) & mask
        if slots[j] < 0:
            if count == limit:
                return codes, firsts[:count].copy(), False
            slots[j] = count
            keys[j] = h
            firsts[count] = i
            count += 1
        codes[i] = slots[j]
    return codes, firsts[:count].copy(), True


@numba.njit(cache=True, nogil=True)
def _hash_join(keys, probes):  # type: ignore[no-untyped-def]
    """The index of each probe among ``keys`` (-1 when absent), and whether the keys were all
    distinct.

    A radix-partitioned hash join: keys and probes are split by the top bits of their hashes
    into partitions of about a thousand keys, and each partition is joined in a table that
    stays in the L1 cache, where one table over a million keys would miss the cache on every
    access. Consecutive equal probes (a ticket's status rows are usually together) are looked
    up once.
    """
    parts = 1 << _PARTITION_BITS
    shift = np.uint64(64 - _PARTITION_BITS)
    # Keys, grouped by partition: key_hash[start[p]:start[p + 1]], with their rows.
    start = np.zeros(parts + 1, dtype=np.int64)
    for i in range(keys.shape[0]):
        start[(keys[i] >> shift) + 1] += 1
    start = np.cumsum(start)
    fill = start[:-1].copy()
    key_hash = np.empty(keys.shape[0], dtype=np.uint64)
    key_row = np.empty(keys.shape[0], dtype=np.int64)
    for i in range(keys.shape[0]):
        p = keys[i] >> shift
        key_hash[fill[p]] = keys[i]
        key_row[fill[p]] = i
        fill[p] += 1
    # Runs of equal probes, grouped by partition the same way.
    run_of = np.empty(probes.shape[0], dtype=np.int64)
    run_hash = np.empty(probes.shape[0], dtype=np.uint64)
    runs = 0
    for i in range(probes.shape[0]):
        if i == 0 or probes[i] != probes[i - 1]:
            run_hash[runs] = probes[i]
            runs += 1
        run_of[i] = runs - 1
    probe_start = np.zeros(parts + 1, dtype=np.int64)
    for r in range(runs):
        probe_start[(run_hash[r] >> shift) + 1] += 1
    probe_start = np.cumsum(probe_start)
    fill = probe_start[:-1].copy()
    probe_run = np.empty(runs, dtype=np.int64)
    for r in range(runs):
        p = run_hash[r] >> shift
        probe_run[fill[p]] = r
        fill[p] += 1
    # One small table, reused: a slot is taken when it holds a key of the current partition.
    largest = 0
    for p in range(parts):
        largest = max(largest, start[p + 1] - start[p])
    size = 16
    while size < 2 * largest + 1:
        size *= 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    run_row = np.full(runs, -1, dtype=np.int64)
    unique = True
    for p in range(parts):
        first = start[p]
        for f in range(first, start[p + 1]):
            h = key_hash[f]
            j = h & mask
            while slots[j] >= first and key_hash[slots[j]] != h:
                j = (j + np.uint64(1)) & mask
            if slots[j] >= first:
                unique = False
            else:
                slots[j] = f
        for q in range(probe_start[p], probe_start[p + 1]):
            r = probe_run[q]
            h = run_hash[r]
            j = h & mask
            while slots[j] >= first:
                if key_hash[slots[j]] == h:
                    run_row[r] = key_row[slots[j]]
                    break
                j = (j + np.uint64(1)) & mask
    rows = np.empty(probes.shape[0], dtype=np.int64)
    for i in range(probes.shape[0]):
        rows[i] = run_row[run_of[i]]
    return rows, unique
