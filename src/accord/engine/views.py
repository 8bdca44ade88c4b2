"""Text columns as Arrow string views, read where Polars keeps them, for compiled passes over
text: Polars hands them out through the Arrow PyCapsule interface (``__arrow_c_stream__``,
public in both Polars and Arrow), read here with ctypes as the Arrow C stream and data
interfaces lay them out.

Polars holds a text column as 16-byte *views*: a text's length, then the text itself when it
is at most 12 bytes long (padded with zero bytes), else its first 4 bytes, the data buffer
holding it and its offset there.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["StringViews", "read_only", "string_views"]

_Array = TypeVar("_Array", bound=npt.NDArray[Any])


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
_CALL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)


class _ArrowArrayStream(ctypes.Structure):
    _fields_ = [("get_schema", _CALL), ("get_next", _CALL), ("get_last_error", ctypes.c_void_p),
                ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


@dataclass(frozen=True, eq=False)
class StringViews:
    """Row ``i``'s view is ``views[2 i]`` (its length, and its first 4 bytes) and ``views[2 i
    + 1]``; a long text lies in ``data`` from ``starts[buffer] + offset``. ``valid`` says
    which cells are not empty, and is empty when none is. The arrays read the column's own
    memory: keep ``column`` while they are used."""

    column: pl.Series
    views: npt.NDArray[np.uint64]
    starts: npt.NDArray[np.int64]
    data: npt.NDArray[np.uint8]
    valid: npt.NDArray[np.bool_]


def string_views(column: pl.Series) -> StringViews | None:
    """The views of a text column (one chunk of it, if it has several); None for another
    layout."""
    if column.dtype != pl.String:
        return None
    if column.n_chunks() > 1:
        column = column.rechunk()
    valid: npt.NDArray[np.bool_] = (column.is_not_null().to_numpy() if column.has_nulls()
                                    else np.zeros(0, np.bool_))
    array, schema = _ArrowArray(), _ArrowSchema()
    # The capsule owns the stream and releases it when it is freed; the schema and the one
    # array read from it are this function's to release.
    capsule = column.__arrow_c_stream__()
    address = _capsule_pointer(capsule, b"arrow_array_stream")
    stream = _ArrowArrayStream.from_address(address)
    if stream.get_schema(address, ctypes.addressof(schema)) != 0:
        return None
    if stream.get_next(address, ctypes.addressof(array)) != 0 or not array.release:
        _RELEASE(schema.release)(ctypes.addressof(schema))
        return None
    try:
        # Buffers: validity, views, the data buffers, and last the data buffers' sizes.
        if schema.format != b"vu" or array.n_buffers < 3:
            return None
        n, offset = int(array.length), int(array.offset)
        views = _array(array.buffers[1], ctypes.c_uint64, 2 * (offset + n))[2 * offset:]
        count = int(array.n_buffers) - 3
        sizes = _array(array.buffers[count + 2], ctypes.c_int64, count)
        buffers = [_array(array.buffers[2 + b], ctypes.c_uint8, int(sizes[b]))
                   for b in range(count)]
    finally:
        # The buffers stay: the column holds them too.
        _RELEASE(array.release)(ctypes.addressof(array))
        _RELEASE(schema.release)(ctypes.addressof(schema))
    starts = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    data = (buffers[0] if count == 1 else np.concatenate(buffers) if buffers
            else np.zeros(0, dtype=np.uint8))
    return StringViews(column, read_only(views), read_only(starts), read_only(data),
                       read_only(valid))


def read_only(array: _Array) -> _Array:
    """``array``, marked read-only. Numba compiles a kernel once per kind of argument, and
    read-only is a kind: NumPy views of Polars columns are read-only unless they are empty,
    so every column a kernel reads is marked so, and an empty table does not cost a compile."""
    array.setflags(write=False)
    return array


def _array(address: int | None, kind: type[ctypes.c_uint8 | ctypes.c_uint64 | ctypes.c_int64],
           count: int) -> npt.NDArray[Any]:
    """``count`` values of ``kind`` at ``address``: a NumPy array over that memory."""
    if count == 0 or not address:
        return np.zeros(0, dtype=np.dtype(kind))
    result: npt.NDArray[Any] = np.ctypeslib.as_array(
        ctypes.cast(address, ctypes.POINTER(kind)), (count,))
    return result
