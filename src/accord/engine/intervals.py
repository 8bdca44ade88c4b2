"""Sets of instants as sorted, disjoint intervals: unions and business-time measures."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from accord.engine.clock import BusinessClock

__all__ = ["Masked", "union"]

Ints = npt.NDArray[np.int64]


def union(starts: Ints, ends: Ints) -> tuple[Ints, Ints]:
    """The union of intervals ``[starts, ends)`` as sorted, disjoint, non-touching intervals."""
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    new = np.ones(len(starts), dtype=bool)
    new[1:] = starts[1:] > reach[:-1]
    group_ends = np.append(np.flatnonzero(new)[1:] - 1, len(starts) - 1)
    return starts[new], reach[group_ends]


class Masked:
    """Business time on a clock outside a set ``M`` of intervals (e.g. maintenance windows)."""

    def __init__(self, clock: BusinessClock, starts: Ints, ends: Ints) -> None:
        self._clock = clock
        self._starts, self._ends = union(starts, ends)
        lengths = clock.elapsed(self._starts, self._ends)
        self._before = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)

    def _inside(self, t: Ints) -> Ints:
        """Business time of ``M ∩ (-∞, t)``."""
        k = np.searchsorted(self._starts, t, side="right") - 1
        inside = self._before[np.maximum(k, 0)]
        last = np.maximum(k, 0)
        if len(self._starts):
            partial = self._clock.elapsed(self._starts[last], np.minimum(t, self._ends[last]))
            inside = inside + np.where(k >= 0, partial, 0)
        return np.where(k >= 0, inside, 0).astype(np.int64)

    def measure(self, starts: Ints, ends: Ints) -> Ints:
        """Business time of each ``[start, end)`` outside ``M`` (0 where end <= start)."""
        ends = np.maximum(starts, ends)
        total = self._clock.elapsed(starts, ends)
        result: Ints = total - (self._inside(ends) - self._inside(starts))
        return result
