"""When to try a failed delivery again: exponential backoff with full jitter.

The n-th retry waits a uniformly random time in ``[0, min(cap, base · 2ⁿ⁻¹)]`` ("full jitter",
from AWS's *Exponential Backoff and Jitter*), so that receivers coming back after an outage are
not hit by every worker at the same instants. After ``max_attempts`` tries the notification is
dead-lettered: kept, visible, and retried only when someone asks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError("base must be positive and cap at least base")

    def ceiling(self, failures: int) -> timedelta:
        """The longest wait after the ``failures``-th failed try (1, 2, …)."""
        # In float seconds: a large exponent must reach the cap, not overflow a timedelta.
        grown = self.base.total_seconds() * 2.0 ** min(failures - 1, 1000)
        return min(self.cap, timedelta(seconds=min(grown, self.cap.total_seconds())))

    def delay(self, failures: int, rng: random.Random) -> timedelta | None:
        """How long to wait after ``failures`` failed tries; None when it is time to give up."""
        if failures >= self.max_attempts:
            return None
        ceiling = self.ceiling(failures).total_seconds()
        return timedelta(seconds=rng.uniform(0.0, ceiling))
