"""Business elapsed time for N (start, end) pairs: Accord's clock beside three baselines.

Calendar: Mon-Fri 09:00-17:00 in Europe/Berlin minus German public holidays (DE), over the
local year 2026. Pairs are uniform random whole-second instants within that year, end >= start.

  (a) accord     ``BusinessClock.elapsed`` (numba kernel, serial); build time reported apart,
                 the first call (numba compile / cache load) not timed
  (b) btd        the ``businesstimedelta`` package, on a sample of ``--sample`` pairs; its
                 answers are checked against Accord's, pair by pair
  (c) searchsorted  a plain NumPy clock: two ``np.searchsorted`` over the clock's own
                 ``starts``/``ends``/``cum`` arrays; checked against Accord on all N pairs
  (d) floor      ``second - first``: the memory-bandwidth floor of any pairwise kernel

Every figure is the median of ``--repeat`` runs, the methods interleaved run by run so that
noise on a shared machine falls on all of them alike. Target: accord <= 20 ns per pair at
N = 10 million on one core (the process is pinned to one CPU unless ``--no-pin``).

Run from the repository root:  .venv/bin/python benchmarks/bench_clock.py [--n 10000000]
"""

# ruff: noqa: E402  (the thread settings must precede the imports of numba and NumPy)
from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from importlib.metadata import version
from zoneinfo import ZoneInfo

import businesstimedelta
import numba
import numpy as np
import numpy.typing as npt
import pytz

from accord.engine.clock import US, BusinessClock, to_us
from accord.model.calendar import Calendar

Instants = npt.NDArray[np.int64]

ZONE = "Europe/Berlin"
YEAR = 2026
TARGET_NS = 20.0
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def office_calendar() -> Calendar:
    nine_to_five = ((9 * 60, 17 * 60),)
    week = (nine_to_five,) * 5 + ((), ())
    return Calendar("office", ZONE, week, holiday_country="DE")


def year_bounds() -> tuple[int, int]:
    zone = ZoneInfo(ZONE)
    return (to_us(datetime(YEAR, 1, 1, tzinfo=zone)), to_us(datetime(YEAR + 1, 1, 1, tzinfo=zone)))


def random_pairs(n: int, seed: int, start: int, end: int) -> tuple[Instants, Instants]:
    """``n`` pairs of whole-second instants in ``[start, end)``, each ordered (first <= second)."""
    rng = np.random.default_rng(seed)
    seconds = rng.integers(start // US, end // US, size=(2, n), dtype=np.int64)
    seconds.sort(axis=0)
    return seconds[0] * US, seconds[1] * US


def searchsorted_elapsed(clock: BusinessClock) -> Callable[[Instants, Instants], Instants]:
    """The naive vectorised clock: ``B(t)`` by binary search over the interval ends."""
    starts = np.append(clock.starts, np.iinfo(np.int64).max)  # past the last: B = cum[-1]
    ends, cum = clock.ends, clock.cum

    def business(t: Instants) -> Instants:
        k = np.searchsorted(ends, t, side="right")  # the first interval not over at t
        result: Instants = cum[k] + np.maximum(t - starts[k], 0)
        return result

    def elapsed(first: Instants, second: Instants) -> Instants:
        result: Instants = np.maximum(business(second) - business(first), 0)
        return result

    return elapsed


def floor(first: Instants, second: Instants) -> Instants:
    result: Instants = second - first
    return result


def btd_rules(calendar: Calendar) -> businesstimedelta.Rules:
    """The same calendar in businesstimedelta: working days plus the same holiday dates.

    Two things it needs that are easy to get wrong: both rules need the pytz zone (a
    HolidayRule without ``tz`` takes UTC days), and the holiday list must reach past the last
    instant asked about, because ``HolidayRule.next`` searches day by day for the next listed
    date and crashes (``combine(None, …)``) when there is none within five years.
    """
    tz = pytz.timezone(calendar.zone)
    closed = calendar.closed_between(date(YEAR - 1, 12, 1), date(YEAR + 1, 12, 31))
    return businesstimedelta.Rules([
        businesstimedelta.WorkDayRule(start_time=clock_time(9), end_time=clock_time(17),
                                      working_days=[0, 1, 2, 3, 4], tz=tz),
        businesstimedelta.HolidayRule(closed, tz=tz),
    ])


def btd_elapsed(rules: businesstimedelta.Rules, pairs: list[tuple[datetime, datetime]]) -> Instants:
    out = np.empty(len(pairs), dtype=np.int64)
    for i, (first, second) in enumerate(pairs):
        delta = rules.difference(first, second).timedelta
        out[i] = (delta.days * 86_400 + delta.seconds) * US + delta.microseconds
    return out


def as_datetime(instant: int) -> datetime:
    return EPOCH + timedelta(microseconds=instant)


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    begin = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - begin) / 1e9


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Business elapsed time per (start, end) pair: Accord's clock vs baselines.")
    parser.add_argument("--n", type=int, default=10_000_000, help="pairs (default 10 million)")
    parser.add_argument("--sample", type=int, default=2000,
                        help="pairs for businesstimedelta, the slow baseline (default 2000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1 or not 0 <= args.sample <= args.n:
        parser.error("need --n >= 1, --repeat >= 1 and 0 <= --sample <= --n")

    pinning = "not pinned (--no-pin)" if args.no_pin else pin_to_one_cpu()
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, numba {numba.__version__}"
          f", businesstimedelta {version('businesstimedelta')}")
    print(f"{cpu_name()}, {pinning}, NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']}")
    print(f"N = {args.n:,} pairs, seed {args.seed}, median of {args.repeat} runs\n")

    calendar = office_calendar()
    start, end = year_bounds()
    begin = time.perf_counter()
    first, second = random_pairs(args.n, args.seed, start, end)
    print(f"generated {args.n:,} pairs in {time.perf_counter() - begin:.2f} s")

    cold_build = timed(lambda: BusinessClock.build(calendar, start, end))
    warm_build = statistics.median(
        timed(lambda: BusinessClock.build(calendar, start, end)) for _ in range(args.repeat))
    clock = BusinessClock.build(calendar, start, end)
    first_call = timed(lambda: clock.elapsed(first[:1000], second[:1000]))
    print(f"clock build: {cold_build * 1e3:.1f} ms first (holiday tables), "
          f"{warm_build * 1e3:.1f} ms median after; {len(clock.starts)} intervals; "
          f"first elapsed call (numba compile or cache load): {first_call * 1e3:.1f} ms")

    accord_answer = clock.elapsed(first, second)
    naive = searchsorted_elapsed(clock)
    naive_same = bool(np.array_equal(naive(first, second), accord_answer))

    methods: dict[str, Callable[[], object]] = {
        "accord": lambda: clock.elapsed(first, second),
        "searchsorted": lambda: naive(first, second),
        "floor": lambda: floor(first, second),
    }
    runs: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(args.repeat):
        for name, fn in methods.items():
            runs[name].append(timed(fn) / args.n * 1e9)
    ns = {name: statistics.median(values) for name, values in runs.items()}

    btd_ns: float | None = None
    btd_same: bool | None = None
    mismatches: list[int] = []
    if args.sample:
        rules = btd_rules(calendar)
        pairs = [(as_datetime(int(a)), as_datetime(int(b)))
                 for a, b in zip(first[:args.sample], second[:args.sample], strict=True)]
        # One pass over the sample, timed in `repeat` chunks: each chunk gives a per-pair
        # figure and the median of those is reported (the whole sample runs about a minute).
        chunks = np.array_split(np.arange(args.sample), min(args.repeat, args.sample))
        answer = np.empty(args.sample, dtype=np.int64)
        per_pair: list[float] = []
        for chunk in chunks:
            part = [pairs[i] for i in chunk]
            begin_ns = time.perf_counter_ns()
            answer[chunk] = btd_elapsed(rules, part)
            per_pair.append((time.perf_counter_ns() - begin_ns) / len(part))
        btd_ns = statistics.median(per_pair)
        wrong = np.flatnonzero(answer != accord_answer[:args.sample])
        btd_same = len(wrong) == 0
        mismatches = [int(i) for i in wrong[:5]]
        for i in mismatches:
            print(f"  businesstimedelta differs: [{pairs[i][0]:%Y-%m-%dT%H:%M:%SZ}, "
                  f"{pairs[i][1]:%Y-%m-%dT%H:%M:%SZ}) btd {answer[i] / US:.0f} s, "
                  f"accord {accord_answer[i] / US:.0f} s")

    rows: list[tuple[str, float, str, str]] = [
        ("(a) accord BusinessClock.elapsed", ns["accord"], "yes (reference)",
         f"<= {TARGET_NS:.0f} ns/pair: {'met' if ns['accord'] <= TARGET_NS else 'NOT met'}"),
    ]
    if btd_ns is not None:
        rows.append((f"(b) businesstimedelta ({args.sample:,} pairs)", btd_ns,
                     "yes" if btd_same else f"NO ({len(mismatches)}+ differ)",
                     f"{btd_ns / 1e3:,.1f} µs/pair"))
    rows += [
        ("(c) NumPy 2 x searchsorted", ns["searchsorted"], "yes" if naive_same else "NO", ""),
        ("(d) floor: second - first", ns["floor"], "n/a (not business time)", ""),
    ]
    print()
    header = f"{'method':<40} {'ns/pair':>14} {'x floor':>12}  {'same answers':<24} note"
    print(header)
    print("-" * len(header))
    for name, value, same, note in rows:
        print(f"{name:<40} {value:>14,.1f} {value / ns['floor']:>12,.1f}  {same:<24} {note}")
    print()
    print(f"accord vs searchsorted: {ns['searchsorted'] / ns['accord']:.1f}x faster; "
          + (f"vs businesstimedelta: {btd_ns / ns['accord']:,.0f}x faster" if btd_ns else ""))
    print("runs (ns/pair): " + "; ".join(
        f"{name} " + " ".join(f"{v:.1f}" for v in values) for name, values in runs.items()))
    return 0 if naive_same and btd_same is not False else 1


if __name__ == "__main__":
    sys.exit(main())
