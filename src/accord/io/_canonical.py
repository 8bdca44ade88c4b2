"""Instants written the canonical way, ``YYYY-MM-DD[T ]hh:mm:ssZ``, read in one compiled pass.

A clean data file (:mod:`accord.io._clean`) usually writes every instant this one way. Such a
text column is read here straight from where Polars keeps it, through the Arrow C data
interface (an array of 16-byte *views*, each a text's length and where its bytes lie), and
every cell is checked and converted in one pass: four digits, ``-``, two digits, ``-``, two
digits, ``T`` (or a space), two digits, ``:``, two digits, ``:``, two digits, ``Z``, a real month and day
(leap years included), hours below 24, minutes and seconds below 60. Arrow's ISO 8601 cast,
which the careful path uses, accepts every such cell and reads the same instant from it; any
other cell (or an unexpected layout of the column) makes :func:`canonical_instants` answer
None, and the careful path decides.
"""

from __future__ import annotations

import ctypes

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.tables import INSTANT

__all__ = ["canonical_instants"]


class _ArrowSchema(ctypes.Structure):
    _fields_ = [("format", ctypes.c_char_p), ("name", ctypes.c_char_p),
                ("metadata", ctypes.c_char_p), ("flags", ctypes.c_int64),
                ("n_children", ctypes.c_int64), ("children", ctypes.c_void_p),
                ("dictionary", ctypes.c_void_p), ("release", ctypes.c_void_p),
                ("private_data", ctypes.c_void_p)]


class _ArrowArray(ctypes.Structure):
    _fields_ = [("length", ctypes.c_int64), ("null_count", ctypes.c_int64),
                ("offset", ctypes.c_int64), ("n_buffers", ctypes.c_int64),
                ("n_children", ctypes.c_int64), ("buffers", ctypes.POINTER(ctypes.c_void_p)),
                ("children", ctypes.c_void_p), ("dictionary", ctypes.c_void_p),
                ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


_RELEASE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def canonical_instants(cells: pl.Series) -> pl.Series | None:
    """The UTC instants of a text column whose every cell is canonical or empty; else None."""
    if cells.dtype != pl.String:
        return None
    if cells.n_chunks() > 1:
        cells = cells.rechunk()
    nulls = cells.has_nulls()
    valid = cells.is_not_null().to_numpy() if nulls else np.zeros(0, dtype=np.bool_)
    array, schema = _ArrowArray(), _ArrowSchema()
    cells._export_arrow_to_c(ctypes.addressof(array), ctypes.addressof(schema))
    try:
        # Buffers: validity, views, the data buffers, and last the data buffers' sizes.
        if schema.format != b"vu" or array.n_buffers < 3:
            return None
        n, offset = int(array.length), int(array.offset)
        views = _array(array.buffers[1], ctypes.c_uint32, 4 * (offset + n))[4 * offset:]
        count = int(array.n_buffers) - 3
        sizes = _array(array.buffers[count + 2], ctypes.c_int64, count)
        buffers = [_array(array.buffers[2 + b], ctypes.c_uint8, int(sizes[b]))
                   for b in range(count)]
        starts = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        data = np.concatenate(buffers) if buffers else np.zeros(0, dtype=np.uint8)
    finally:
        _RELEASE(array.release)(ctypes.addressof(array))
        _RELEASE(schema.release)(ctypes.addressof(schema))
    # numba is imported here, not with accord.io: the CLI loads it on a thread of its own
    # while the files are read (accord.engine.warm).
    from accord.io._canonical_kernel import parse

    values, ok = parse(views.reshape(n, 4), starts, data, valid)
    if not ok:
        return None
    series = pl.Series(cells.name, values, dtype=pl.Int64)
    if nulls:
        series = series.set(pl.Series(~valid), None)
    return series.cast(INSTANT)


def _array(address: int | None, kind: type[ctypes.c_uint8 | ctypes.c_uint32 | ctypes.c_int64],
           count: int) -> npt.NDArray[np.generic]:
    """``count`` values of ``kind`` at ``address``: a NumPy array over that memory."""
    if count == 0 or not address:
        return np.zeros(0, dtype=np.dtype(kind))
    result: npt.NDArray[np.generic] = np.ctypeslib.as_array(
        ctypes.cast(address, ctypes.POINTER(kind)), (count,))
    return result
