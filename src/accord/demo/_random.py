"""Random draws for the demo data, all from the one seeded ``random.Random``."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from itertools import pairwise

__all__ = ["DAY", "HOUR", "MINUTE", "pick", "poisson", "split", "workday_minute"]

MINUTE = 60
HOUR = 3600
DAY = 86400


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson count (Knuth's method: ``lam`` is small here)."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` seconds in ``parts`` positive parts (each at least a minute)."""
    if parts == 1:
        return [total]
    cuts = sorted(rng.randint(1, max(1, total - 1)) for _ in range(parts - 1))
    return [max(60, b - a) for a, b in pairwise([0, *cuts, total])]


def workday_minute(rng: random.Random, open_minute: int, close_minute: int) -> int:
    """A minute of the working day, busiest mid-morning and mid-afternoon (the peaks of a
    service desk), quieter at the edges and over lunch."""
    while True:
        minute = rng.randint(open_minute, close_minute - 1)
        hour = minute / 60
        weight = 1.0 if 9 <= hour < 12 or 13 <= hour < 16 else 0.45
        if rng.random() < weight:
            return minute
