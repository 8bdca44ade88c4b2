"""Exponential backoff with full jitter, then the dead letter."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from accord.service.notify import RetryPolicy

POLICY = RetryPolicy(max_attempts=6, base=timedelta(seconds=10), cap=timedelta(seconds=60))


@pytest.mark.parametrize(("failures", "ceiling"), [(1, 10), (2, 20), (3, 40), (4, 60), (5, 60),
                                                    (500, 60)])
def test_the_longest_wait_doubles_up_to_the_cap(failures: int, ceiling: float) -> None:
    assert POLICY.ceiling(failures) == timedelta(seconds=ceiling)


def test_waits_are_spread_over_the_whole_range_up_to_the_longest() -> None:
    rng = random.Random(7)
    waits = [POLICY.delay(3, rng) for _ in range(2000)]
    seconds = [w.total_seconds() for w in waits if w is not None]
    assert len(seconds) == 2000
    assert 0 <= min(seconds) < 2
    assert 38 < max(seconds) <= 40
    assert 18 < sum(seconds) / len(seconds) < 22


def test_after_the_last_attempt_there_is_no_wait_but_the_dead_letter() -> None:
    rng = random.Random(1)
    assert POLICY.delay(5, rng) is not None
    assert POLICY.delay(6, rng) is None


@pytest.mark.parametrize("options", [{"max_attempts": 0}, {"base": timedelta(0)},
                                     {"base": timedelta(seconds=5), "cap": timedelta(seconds=1)}])
def test_a_policy_that_cannot_work_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RetryPolicy(**options)  # type: ignore[arg-type]
