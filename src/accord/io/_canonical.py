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

import numpy as np
import polars as pl

from accord.engine.tables import INSTANT
from accord.engine.views import string_views

__all__ = ["canonical_instants"]


def canonical_instants(cells: pl.Series) -> pl.Series | None:
    """The UTC instants of a text column whose every cell is canonical or empty; else None."""
    if cells.dtype != pl.String:
        return None
    column = string_views(cells)
    if column is None:
        return None
    nulls = len(column.valid) > 0
    # numba is imported here, not with accord.io: the CLI loads it on a thread of its own
    # while the files are read (accord.engine.warm).
    from accord.io._canonical_kernel import parse

    values, ok = parse(column.views.view(np.uint32).reshape(len(cells), 4), column.starts,
                       column.data, column.valid)
    if not ok:
        return None
    series = pl.Series(cells.name, values, dtype=pl.Int64)
    if nulls:
        series = series.set(pl.Series(~column.valid), None)
    return series.cast(INSTANT)
