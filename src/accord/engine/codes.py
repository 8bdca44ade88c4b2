"""Text columns as integer codes, and rows found by their ids: hash tables over whole columns.

A text column becomes dense codes (``0, 1, …`` in order of first appearance, ``-1`` for an
empty cell) and an id column is joined to the column that refers to it (status rows to their
tickets), each in one compiled pass over the columns' Arrow string views (engine/views.py).

An Arrow string view is 16 bytes: the length, then a text of up to 12 bytes inline, or (for a
longer one) its first 4 bytes, the data buffer and the offset where it lies. Short texts
(customers, priorities, most ids) are thus compared and hashed as two 64-bit words without
reading anything else; a longer text is hashed by Polars and compared byte by byte. A hash is
only ever a shortcut to the candidates: two texts are the same when their bytes are, and when
two different texts share a hash an exact (slower) Polars path gives the join instead.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.views import StringViews, read_only, string_views

__all__ = ["dense_codes", "rows_of"]

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int32]
Words = npt.NDArray[np.uint64]
_SMALL = 1 << 12
"""Slots tried first: up to 2,048 distinct values in a table that stays in the L1/L2 cache."""
_PARTITION_BITS = 10
_INLINE = 12
"""The longest text an Arrow string view holds inline."""

# Kernel outcomes.
_DONE = 0
_FULL = 1
"""The table was too small for the distinct values: run again with a larger one."""
_NEEDS_HASHES = 2
"""A text longer than a view holds was met and no hashes were given: hash, then run again."""
_SHARED_HASH = 3
"""Two different texts share a hash: join them exactly another way."""

_LOW32 = np.uint64(0xFFFF_FFFF)
_GOLDEN = np.uint64(0x9E37_79B9_7F4A_7C15)
_MIX1 = np.uint64(0xBF58_476D_1CE4_E5B9)
_MIX2 = np.uint64(0x94D0_49BB_1331_11EB)
_NO_HASHES: Words = read_only(np.zeros(0, dtype=np.uint64))


def dense_codes(series: pl.Series) -> tuple[list[str], Codes]:
    """The distinct values of a text column, in order of first appearance, and each row's
    index among them (-1 when empty)."""
    column = _views(series)
    if column is None:
        values = series.drop_nulls().unique(maintain_order=True).to_list()
        exact = series.cast(pl.Enum(values)).to_physical().fill_null(-1)
        return values, exact.to_numpy().astype(np.int32)
    hashes, size = _NO_HASHES, _SMALL
    while True:
        codes, firsts, outcome = _view_codes(column.views, column.data, column.starts, hashes,
                                             column.valid, size)
        if outcome == _DONE:
            return column.column.gather(firsts).to_list(), codes
        if outcome == _NEEDS_HASHES:
            hashes = _hashes(column)
        else:  # many distinct values: a table of twice the rows
            size = _table_size(2 * len(series))


def _views(series: pl.Series) -> StringViews | None:
    return string_views(series if series.dtype == pl.String else series.cast(pl.String))


def _hashes(column: StringViews) -> Words:
    """Polars' 64-bit hash of every text (for columns with texts longer than a view holds)."""
    return read_only(column.column.hash().to_numpy())


def _table_size(at_least: int) -> int:
    return 1 << max(at_least, 1).bit_length()


def rows_of(ids: pl.Series, refs: pl.Series) -> Ints:
    """The row of ``ids`` each of ``refs`` names (-1 for none or empty; the first row of a
    repeated id)."""
    keys, probes = _views(ids), _views(refs)
    if keys is not None and probes is not None:
        merged: Ints
        merged, ok = _merge_join(keys.views, keys.valid, probes.views, probes.valid)
        if ok:
            return merged
    key_hashes = probe_hashes = _NO_HASHES
    while keys is not None and probes is not None:
        rows: Ints
        rows, outcome = _view_join(keys.views, keys.data, keys.starts, key_hashes, keys.valid,
                                   probes.views, probes.data, probes.starts, probe_hashes,
                                   probes.valid)
        if outcome == _DONE:
            return rows
        if outcome == _SHARED_HASH:
            break
        # Both sides hash every text alike, so a text has one hash whichever side it is on.
        key_hashes, probe_hashes = _hashes(keys), _hashes(probes)
    first = pl.DataFrame({"id": ids, "_row": np.arange(len(ids))}).unique(
        "id", keep="first", maintain_order=True)
    joined = pl.DataFrame({"id": refs}).join(first, on="id", how="left", maintain_order="left")
    return joined.get_column("_row").fill_null(-1).to_numpy().astype(np.int64)


# --- kernels ----------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True, inline="always")
def _mix(lo, hi):  # type: ignore[no-untyped-def]
    """A 64-bit hash of a view's two words (splitmix64's finaliser)."""
    h = lo ^ (hi * _GOLDEN)
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


# The kernels read views and compare bytes in their own loops: a function taking the arrays,
# even one inlined, binds them afresh on every call (counting references to them), which
# costs more than the look-up itself.


@numba.njit(cache=True, nogil=True)
def _view_codes(views, data, starts, hashes, valid, size):  # type: ignore[no-untyped-def]
    """Dense codes in order of first appearance (rows not ``valid`` get -1; an empty
    ``valid``: every row is), each code's first row, and the outcome: done, the ``size``
    slots (a power of two) would be more than half full, or a long text needs ``hashes``.
    A small table stays in the cache, so a column of a few customers is read at memory
    speed."""
    n = views.shape[0] // 2
    limit = size // 2
    mask = np.uint64(size - 1)
    slots = np.full(size, -1, dtype=np.int64)
    slot_hash = np.zeros(size, dtype=np.uint64)
    slot_lo = np.zeros(size, dtype=np.uint64)
    slot_hi = np.zeros(size, dtype=np.uint64)
    codes = np.full(n, -1, dtype=np.int32)
    firsts = np.empty(limit, dtype=np.int64)
    count = 0
    every = valid.shape[0] == 0
    hashed = hashes.shape[0] != 0
    for i in range(n):
        if not every and not valid[i]:
            continue
        lo = views[2 * i]
        hi = views[2 * i + 1]
        length = lo & _LOW32
        if length > _INLINE:
            if not hashed:
                return codes, firsts[:0].copy(), _NEEDS_HASHES
            hi = np.uint64(starts[np.int64(hi & _LOW32)]) + (hi >> np.uint64(32))  # its bytes
        h = hashes[i] if hashed else _mix(lo, hi)
        j = h & mask
        while slots[j] >= 0:
            # The same text: the same length and first 4 bytes, then the same 8 bytes more (a
            # short one) or the same hash and bytes (a long one).
            if slot_lo[j] == lo:
                if length <= _INLINE:
                    if slot_hi[j] == hi:
                        break
                elif slot_hash[j] == h:
                    a = np.int64(slot_hi[j])
                    b = np.int64(hi)
                    diff = np.uint8(0)
                    for k in range(4, np.int64(length)):
                        diff |= data[a + k] ^ data[b + k]
                    if diff == 0:
                        break
            j = (j + np.uint64(1)) & mask
        if slots[j] < 0:
            if count == limit:
                return codes, firsts[:0].copy(), _FULL
            slots[j] = count
            slot_hash[j] = h
            slot_lo[j] = lo
            slot_hi[j] = hi
            firsts[count] = i
            count += 1
        codes[i] = slots[j]
    return codes, firsts[:count].copy(), _DONE


@numba.njit(cache=True, nogil=True)
def _view_join(key_views, key_data, key_starts, key_hashes, key_valid,  # type: ignore[no-untyped-def]
               probe_views, probe_data, probe_starts, probe_hashes, probe_valid):
    """The first row among the keys of each probe's text (-1 when absent or empty), and the
    outcome: done, a long text needs hashes on both sides, or two texts share a hash.

    A radix-partitioned hash join on the hashes: keys and probes are split by the top bits of
    their hashes into partitions of about a thousand keys, and each partition is joined in a
    table that stays in the L1 cache, where one table over a million keys would miss the
    cache on every access. Consecutive probes of one hash (a ticket's status rows are usually
    together) are looked up once. Each probe is then compared with the key it found, in probe
    order: status rows in the order of their tickets read the keys in order too.
    """
    parts = 1 << _PARTITION_BITS
    shift = np.uint64(64 - _PARTITION_BITS)
    n_keys = key_views.shape[0] // 2
    n_probes = probe_views.shape[0] // 2
    hashed = key_hashes.shape[0] != 0
    empty = np.zeros(0, dtype=np.int64)
    # Keys, grouped by partition in row order: key_hash[start[p]:start[p + 1]], with their rows.
    start = np.zeros(parts + 1, dtype=np.int64)
    every = key_valid.shape[0] == 0
    for i in range(n_keys):
        if every or key_valid[i]:
            lo = key_views[2 * i]
            if (lo & _LOW32) > _INLINE and not hashed:
                return empty, _NEEDS_HASHES
            h = key_hashes[i] if hashed else _mix(lo, key_views[2 * i + 1])
            start[(h >> shift) + np.uint64(1)] += 1
    start = np.cumsum(start)
    fill = start[:-1].copy()
    kept = start[parts]
    key_hash = np.empty(kept, dtype=np.uint64)
    key_row = np.empty(kept, dtype=np.int64)
    for i in range(n_keys):
        if every or key_valid[i]:
            h = key_hashes[i] if hashed else _mix(key_views[2 * i], key_views[2 * i + 1])
            p = h >> shift
            key_hash[fill[p]] = h
            key_row[fill[p]] = i
            fill[p] += 1
    # Runs of one hash among the probes, grouped by partition the same way.
    run_of = np.full(n_probes, -1, dtype=np.int64)
    run_hash = np.empty(n_probes, dtype=np.uint64)
    runs = 0
    every = probe_valid.shape[0] == 0
    for i in range(n_probes):
        if every or probe_valid[i]:
            lo = probe_views[2 * i]
            if (lo & _LOW32) > _INLINE and not hashed:
                return empty, _NEEDS_HASHES
            h = probe_hashes[i] if hashed else _mix(lo, probe_views[2 * i + 1])
            if runs == 0 or h != run_hash[runs - 1]:
                run_hash[runs] = h
                runs += 1
            run_of[i] = runs - 1
    probe_start = np.zeros(parts + 1, dtype=np.int64)
    for r in range(runs):
        probe_start[(run_hash[r] >> shift) + np.uint64(1)] += 1
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
    for p in range(parts):
        first = start[p]
        for f in range(first, start[p + 1]):
            h = key_hash[f]
            j = h & mask
            while slots[j] >= first and key_hash[slots[j]] != h:
                j = (j + np.uint64(1)) & mask
            if slots[j] < first:  # a repeated hash keeps its first row
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
    # Each probe against the key found for it: a text not found has no key of its hash; a
    # found one is the same text, or two texts share a hash (then the caller is exact).
    rows = np.full(n_probes, -1, dtype=np.int64)
    for i in range(n_probes):
        if run_of[i] >= 0:
            row = run_row[run_of[i]]
            if row >= 0:
                lo = key_views[2 * row]
                hi_a = key_views[2 * row + 1]
                hi_b = probe_views[2 * i + 1]
                length = np.int64(lo & _LOW32)
                same = lo == probe_views[2 * i] and (length > _INLINE or hi_a == hi_b)
                if same and length > _INLINE:
                    a = key_starts[np.int64(hi_a & _LOW32)] + np.int64(hi_a >> np.uint64(32))
                    b = probe_starts[np.int64(hi_b & _LOW32)] + np.int64(hi_b >> np.uint64(32))
                    diff = np.uint8(0)
                    for k in range(4, length):
                        diff |= key_data[a + k] ^ probe_data[b + k]
                    same = diff == 0
                if not same:
                    return empty, _SHARED_HASH
            rows[i] = row
    return rows, _DONE


@numba.njit(cache=True, nogil=True, inline="always")
def _swap32(x):  # type: ignore[no-untyped-def]
    """The low 4 bytes of ``x`` in the reverse order."""
    return (((x & np.uint64(0xFF)) << np.uint64(24)) | ((x & np.uint64(0xFF00)) << np.uint64(8))
            | ((x >> np.uint64(8)) & np.uint64(0xFF00)) | ((x >> np.uint64(24)) & np.uint64(0xFF)))


@numba.njit(cache=True, nogil=True, inline="always")
def _order(lo, hi):  # type: ignore[no-untyped-def]
    """A short text's view as two words that compare as the text does (byte by byte, then the
    shorter first): its 12 bytes, most significant first, then its length."""
    first = (_swap32(lo >> np.uint64(32)) << np.uint64(32)) | _swap32(hi & _LOW32)
    return first, (_swap32(hi >> np.uint64(32)) << np.uint64(32)) | (lo & _LOW32)


@numba.njit(cache=True, nogil=True)
def _merge_join(key_views, key_valid, probe_views, probe_valid):  # type: ignore[no-untyped-def]
    """The row of each probe's text among keys that are short texts in strictly increasing
    order (-1 when absent or empty), and whether that was so: a merge, each probe found by a
    gallop forward from the last one's row. Ids exported in order, and status rows in the
    order of their tickets, are joined reading each once; otherwise (a long or empty id, ids
    out of order, or probes jumping back too often) the caller joins by hashes.
    """
    n = key_views.shape[0] // 2
    n_probes = probe_views.shape[0] // 2
    empty = np.zeros(0, dtype=np.int64)
    if key_valid.shape[0] != 0:
        return empty, False
    previous_a = np.uint64(0)
    previous_b = np.uint64(0)
    for i in range(n):
        if (key_views[2 * i] & _LOW32) > _INLINE:
            return empty, False
        a, b = _order(key_views[2 * i], key_views[2 * i + 1])
        if i > 0 and not (previous_a < a or (previous_a == a and previous_b < b)):
            return empty, False
        previous_a = a
        previous_b = b
    rows = np.full(n_probes, -1, dtype=np.int64)
    if n == 0:
        return rows, True
    every = probe_valid.shape[0] == 0
    jumps_back = 0
    allowed_back = n_probes // 32 + 64
    cursor = 0
    last = -1  # the last probe looked up
    for i in range(n_probes):
        if not (every or probe_valid[i]):
            continue
        if (probe_views[2 * i] & _LOW32) > _INLINE:
            return empty, False
        if last >= 0 and probe_views[2 * i] == probe_views[2 * last] and (
                probe_views[2 * i + 1] == probe_views[2 * last + 1]):
            rows[i] = rows[last]
            continue
        last = i
        # Status rows in the order of their tickets: the id is usually one of the next few.
        found = -1
        for ahead in range(cursor, min(cursor + 8, n)):
            if key_views[2 * ahead] == probe_views[2 * i] and (
                    key_views[2 * ahead + 1] == probe_views[2 * i + 1]):
                found = ahead
                break
        if found >= 0:
            rows[i] = cursor = found
            continue
        a, b = _order(probe_views[2 * i], probe_views[2 * i + 1])
        # The first key not below the probe: in [low, high), found by galloping from the
        # cursor (or, for a probe below the cursor's key, searched from the start).
        ka, kb = _order(key_views[2 * cursor], key_views[2 * cursor + 1])
        if a < ka or (a == ka and b < kb):
            jumps_back += 1
            if jumps_back > allowed_back:
                return empty, False
            low, high = 0, cursor
        else:
            low, step = cursor, 1
            while low + step < n:
                ka, kb = _order(key_views[2 * (low + step)], key_views[2 * (low + step) + 1])
                if not (ka < a or (ka == a and kb < b)):
                    break
                low += step
                step *= 2
            high = min(low + step, n)
        while low < high:
            mid = (low + high) // 2
            ka, kb = _order(key_views[2 * mid], key_views[2 * mid + 1])
            if ka < a or (ka == a and kb < b):
                low = mid + 1
            else:
                high = mid
        if low < n:
            cursor = low
            ka, kb = _order(key_views[2 * low], key_views[2 * low + 1])
            if ka == a and kb == b:
                rows[i] = low
    return rows, True
