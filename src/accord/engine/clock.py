"""The business clock: a calendar as a monotone function of time (DESIGN.md §5, §7).

``B(t)`` counts business microseconds from the clock's origin to instant ``t``. Elapsed business
time is ``B(t2) - B(t1)``; a due date is ``B⁻¹(B(t1) + target)``, the *earliest* instant at which
the business time reaches the target (so a target reached at closing time is due at closing
time, not at the next opening).

The calendar becomes sorted, disjoint UTC intervals with the business time accumulated before
each; an hourly bucket table points at the first interval not yet over at the bucket's start,
so ``B(t)`` is one table look-up and, at most, a step or two along the intervals: O(1) per
instant, whole columns at a time. This is the one module that does calendar arithmetic.

Instants are int64 microseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import numba
import numpy as np
import numpy.typing as npt

from accord.model.calendar import Calendar

__all__ = ["BEYOND", "US", "BusinessClock", "to_us"]

US = 1_000_000
_BUCKET = 3_600 * US
_DAY = 86_400 * US
_MINUTE = 60 * US
BEYOND = np.iinfo(np.int64).max
"""What :meth:`BusinessClock.add` answers when the instant lies past the clock's horizon."""

Instants = npt.NDArray[np.int64]


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    delta = instant - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


@dataclass(frozen=True, eq=False)
class BusinessClock:
    """``B(t)`` for one calendar over the horizon ``[origin, end]``."""

    calendar: Calendar
    origin: int
    end: int
    starts: Instants
    ends: Instants
    cum: Instants
    """Business time before each interval; ``cum[-1]`` is the total over the horizon."""
    buckets: Instants

    @classmethod
    def build(cls, calendar: Calendar, start: int, end: int) -> BusinessClock:
        """The clock of ``calendar`` over ``[start, end]`` (microseconds), built once."""
        origin = start - start % _BUCKET
        end = max(end, origin + 1)
        starts, ends = _intervals(calendar, origin, end)
        cum = np.zeros(len(starts) + 1, dtype=np.int64)
        np.cumsum(ends - starts, out=cum[1:])
        bucket_starts = origin + _BUCKET * np.arange((end - origin) // _BUCKET + 2, dtype=np.int64)
        buckets = np.searchsorted(ends, bucket_starts, side="right").astype(np.int64)
        return cls(calendar, origin, end, starts, ends, cum, buckets)

    def kernel_columns(self) -> tuple[int, Instants, Instants, Instants, Instants]:
        """What the compiled look-ups read: origin, starts, ends, cum, buckets."""
        return self.origin, self.starts, self.ends, self.cum, self.buckets

    def elapsed(self, first: Instants, second: Instants) -> Instants:
        """Business microseconds in ``[first, second)``, pair by pair (0 when second <= first)."""
        result: Instants = _elapsed_many(first, second, self.origin, self.starts, self.ends,
                                         self.cum, self.buckets)
        return result

    def add(self, instants: Instants, business: Instants) -> Instants:
        """The earliest instant at which ``business`` (> 0) more business time has passed.

        Answers :data:`BEYOND` where that instant lies past the horizon.
        """
        result: Instants = _add_many(instants, business, self.origin, self.starts, self.ends,
                                     self.cum, self.buckets)
        return result

# --- kernels: compiled loops over whole columns -------------------------------------------


@numba.njit(cache=True, nogil=True)
def _interval(t, origin, starts, ends, buckets):  # type: ignore[no-untyped-def]
    """The first interval not over at ``t`` (``len(starts)`` when none is left)."""
    # Callers keep instants within the horizon; clamping keeps a stray one memory-safe.
    offset = t - origin if t > origin else 0
    bucket = min(offset // _BUCKET, buckets.shape[0] - 1)
    k = buckets[bucket]
    n = starts.shape[0]
    while k < n and ends[k] <= t:
        k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _b(t, origin, starts, ends, cum, buckets):  # type: ignore[no-untyped-def]
    k = _interval(t, origin, starts, ends, buckets)
    # Branch-free on purpose: business time before interval k, plus what of it has passed.
    start = starts[k] if k < starts.shape[0] else t
    return cum[k] + max(t - start, 0)


@numba.njit(cache=True, nogil=True)
def _reach(x, origin, starts, cum):  # type: ignore[no-untyped-def]
    n = starts.shape[0]
    if x <= 0:
        return origin
    k = np.searchsorted(cum, x) - 1  # cum[k] < x <= cum[k + 1]
    if k >= n:
        return BEYOND
    return starts[k] + (x - cum[k])


@numba.njit(cache=True, nogil=True)
def _locate(t, origin, starts, ends, cum, buckets):  # type: ignore[no-untyped-def]
    """``(B(t), k)``: ``_b(t)`` and the first interval not over at ``t``, a lower bound for
    :func:`_reach_after` of any later business time."""
    k = _interval(t, origin, starts, ends, buckets)
    start = starts[k] if k < starts.shape[0] else t
    return cum[k] + max(t - start, 0), k


@numba.njit(cache=True, nogil=True)
def _reach_after(x, k, origin, starts, cum):  # type: ignore[no-untyped-def]
    """``_reach(x)`` searched forward from interval ``k``: a due date lies a few intervals
    after its start, so a gallop (1, 2, 4, … intervals) finds it in a step or two where a
    binary search over the whole clock takes a dozen."""
    n = starts.shape[0]
    if x <= 0 or cum[k] >= x:
        return _reach(x, origin, starts, cum)
    step = 1
    while k + step <= n and cum[k + step] < x:
        k += step
        step *= 2
    lo = k
    hi = min(k + step, n + 1)  # cum[lo] < x; hi is past the end or cum[hi] >= x
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid
        else:
            hi = mid
    if lo >= n:
        return BEYOND
    return starts[lo] + (x - cum[lo])


@numba.njit(cache=True, nogil=True)
def _elapsed_many(first, second, origin, starts, ends, cum, buckets):  # type: ignore[no-untyped-def]
    out = np.empty(first.shape[0], dtype=np.int64)
    n = starts.shape[0]
    for i in range(first.shape[0]):
        # Both look-ups side by side, without branches the CPU cannot predict.
        a = first[i]
        b = second[i]
        ka = _interval(a, origin, starts, ends, buckets)
        kb = _interval(b, origin, starts, ends, buckets)
        sa = starts[ka] if ka < n else a
        sb = starts[kb] if kb < n else b
        out[i] = max(cum[kb] + max(b - sb, 0) - cum[ka] - max(a - sa, 0), 0)
    return out


@numba.njit(cache=True, nogil=True)
def _add_many(ts, business, origin, starts, ends, cum, buckets):  # type: ignore[no-untyped-def]
    out = np.empty(ts.shape[0], dtype=np.int64)
    for i in range(ts.shape[0]):
        out[i] = _reach(_b(ts[i], origin, starts, ends, cum, buckets) + business[i],
                        origin, starts, cum)
    return out


# --- building the intervals -----------------------------------------------------------------


def _intervals(calendar: Calendar, start: int, end: int) -> tuple[Instants, Instants]:
    """Sorted, disjoint, non-touching UTC intervals of business time within ``[start, end]``.

    An instant is business time when its local wall-clock time falls in an open range of its
    local date (docs/semantics.md, "Business time"). Between two offset changes local time is
    UTC plus a constant offset, so each such stretch maps the local ranges back by that offset;
    this handles the hour skipped and the hour repeated at daylight-saving changes exactly.
    """
    if calendar.is_always_open:
        return np.array([start], dtype=np.int64), np.array([end], dtype=np.int64)
    zone = ZoneInfo(calendar.zone)
    first_day = _utc(start).date() - timedelta(days=2)
    last_day = _utc(end).date() + timedelta(days=2)
    closed = calendar.closed_between(first_day, last_day)
    pieces: list[tuple[int, int]] = []
    for seg_start, seg_end, offset in _offset_stretches(zone, start, end):
        local_first = (seg_start + offset) // _DAY
        local_last = (seg_end + offset) // _DAY
        for day_number in range(local_first, local_last + 1):
            day = date(1970, 1, 1) + timedelta(days=day_number)
            if day in closed:
                continue
            midnight = day_number * _DAY - offset
            for lo, hi in calendar.week[day.weekday()]:
                piece_start = max(midnight + lo * _MINUTE, seg_start)
                piece_end = min(midnight + hi * _MINUTE, seg_end)
                if piece_start < piece_end:
                    pieces.append((piece_start, piece_end))
    pieces.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in pieces:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    if not merged:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    bounds = np.array(merged, dtype=np.int64)
    return np.ascontiguousarray(bounds[:, 0]), np.ascontiguousarray(bounds[:, 1])


def _offset_stretches(zone: ZoneInfo, start: int, end: int) -> list[tuple[int, int, int]]:
    """``(from, to, offset)``: stretches of ``[start, end]`` with one UTC offset (microseconds)."""
    step = 6 * 3_600 * US
    probes = [*range(start, end, step), end]
    stretches: list[tuple[int, int, int]] = []
    seg_start, offset = start, _offset(zone, start)
    for before, after in pairwise(probes):
        if _offset(zone, after) == offset:
            continue
        lo, hi = before, after  # the change lies in (lo, hi]: bisect to the second
        while hi - lo > US:
            mid = (lo + hi) // 2 // US * US
            mid = mid if lo < mid < hi else (lo + hi) // 2
            if _offset(zone, mid) == offset:
                lo = mid
            else:
                hi = mid
        stretches.append((seg_start, hi, offset))
        seg_start, offset = hi, _offset(zone, hi)
    stretches.append((seg_start, end, offset))
    return stretches


def _offset(zone: ZoneInfo, instant: int) -> int:
    delta = _utc(instant).astimezone(zone).utcoffset()
    assert delta is not None
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def _utc(instant: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=instant)
