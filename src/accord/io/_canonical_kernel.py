"""The compiled pass of :mod:`accord.io._canonical` (a module of its own: it imports numba)."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["parse"]

_LENGTH = len("2026-03-02T09:15:00Z")


@numba.njit(cache=True, nogil=True)
def _two(data, at):  # type: ignore[no-untyped-def]
    """The two-digit number at ``at`` (-1 unless both bytes are digits)."""
    a = np.int64(data[at]) - 48
    b = np.int64(data[at + 1]) - 48
    if a < 0 or a > 9 or b < 0 or b > 9:
        return -1
    return a * 10 + b


@numba.njit(cache=True, nogil=True)
def parse(views, starts, data, valid):  # type: ignore[no-untyped-def]
    """Microseconds since the epoch of each canonical cell, and whether every cell (not
    ``valid``: skipped; an empty ``valid``: every cell is) was canonical."""
    n = views.shape[0]
    out = np.zeros(n, dtype=np.int64)
    every = valid.shape[0] == 0
    for i in range(n):
        if not every and not valid[i]:
            continue
        if views[i, 0] != _LENGTH:
            return out, False
        at = starts[views[i, 2]] + np.int64(views[i, 3])
        if (data[at + 4] != 45 or data[at + 7] != 45 or (data[at + 10] != 84
                                                         and data[at + 10] != 32)
                or data[at + 13] != 58 or data[at + 16] != 58 or data[at + 19] != 90):
            return out, False  # "-", "-", "T" or " ", ":", ":", "Z"
        high = _two(data, at)
        low = _two(data, at + 2)
        month = _two(data, at + 5)
        day = _two(data, at + 8)
        hour = _two(data, at + 11)
        minute = _two(data, at + 14)
        second = _two(data, at + 17)
        if high < 0 or low < 0 or month < 1 or month > 12 or day < 1 or hour < 0 or hour > 23 \
                or minute < 0 or minute > 59 or second < 0 or second > 59:
            return out, False
        year = high * 100 + low
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        if month == 2:
            days_in_month = 29 if leap else 28
        elif month == 4 or month == 6 or month == 9 or month == 11:
            days_in_month = 30
        else:
            days_in_month = 31
        if day > days_in_month:
            return out, False
        # Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        y = year - 1 if month <= 2 else year
        era = (y if y >= 0 else y - 399) // 400
        yoe = y - era * 400
        mp = month + 9 if month <= 2 else month - 3
        doy = (153 * mp + 2) // 5 + day - 1
        doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
        days = era * 146_097 + doe - 719_468
        out[i] = ((days * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000
    return out, True
