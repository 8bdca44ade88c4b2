"""The table for people beside the evaluation and the JSON output, on many customers.

Synthetic, seeded data: ``bench_evaluate.py``'s tickets and status histories (``--tickets``
over March 2026), spread over ``--customers`` customers of its one service-based agreement
(``customer: "*"``), so that the evaluation has a result per customer. In this process:

  evaluation  ``accord.engine.evaluate([agreement], tables, period, at)`` (what ``accord
              evaluate`` does between reading the files and printing; the first call, which
              loads the kernels, is reported and not timed)
  table       ``accord.render.render_table`` of that evaluation into a 100-column console,
              as ``accord evaluate --format table`` prints when piped: a summary row per
              customer and the detail of those that missed
  json        ``Evaluation.write_json`` (``--format json``), the evidence items built first
              (a fresh evaluation each run, as the CLI builds them once)

Target (issue 12): the table takes at most 10 % of the evaluation's time. The evaluation in
memory is the smaller part of ``accord evaluate``'s time (reading the files is the larger), so
meeting the target against it meets it against the whole command.

Figures are medians of ``--repeat`` runs, the methods interleaved run by run. By default the
process is pinned to one CPU and Polars, numba and BLAS use one thread (``--no-pin`` to use
every core).

Run from the repository root:  .venv/bin/python benchmarks/bench_render.py
                               [--tickets 1000000] [--customers 1000] [--repeat 3]
"""

# ruff: noqa: E402  (the thread settings must precede the imports of Polars, numba and NumPy)
from __future__ import annotations

import os

for _var in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import io
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console

sys.path.insert(0, str(Path(__file__).parent))
from accord.engine import Evaluation, Period, Tables, evaluate
from accord.model import parse_agreement
from accord.render import render_table
from bench_evaluate import AGREEMENT, AT, PERIOD, pin_to_one_cpu, synthetic_tables

TARGET_SHARE = 0.10


def many_customers(tables: Tables, customers: int, seed: int) -> Tables:
    """``tables`` with each ticket given one of ``customers`` customers, uniformly."""
    assert tables.tickets is not None
    rng = np.random.default_rng(seed)
    names = np.array([f"customer-{c:04d}" for c in range(customers)])
    chosen = names[rng.integers(0, customers, size=tables.tickets.height)]
    return Tables(tickets=tables.tickets.with_columns(pl.Series("customer", chosen)),
                  ticket_status=tables.ticket_status)


def _timed(fn: Callable[[], object]) -> float:
    begin = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - begin) / 1e9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="The evaluation table beside the evaluation and the JSON output.")
    parser.add_argument("--tickets", type=int, default=1_000_000,
                        help="tickets to generate (default 1 million)")
    parser.add_argument("--customers", type=int, default=1_000,
                        help="customers they are spread over (default 1,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.customers < 1 or args.repeat < 1:
        parser.error("need --tickets, --customers and --repeat >= 1")

    pinning = "not pinned (--no-pin)" if args.no_pin else pin_to_one_cpu()
    print(f"Python {platform.python_version()}, Polars {pl.__version__}, {pinning}, "
          f"POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}")
    print(f"{args.tickets:,} tickets over {args.customers:,} customers, seed {args.seed}, "
          f"median of {args.repeat} runs\n")

    begin = time.perf_counter()
    tables = many_customers(synthetic_tables(args.tickets, args.seed), args.customers,
                            args.seed)
    print(f"generated the data in {time.perf_counter() - begin:.2f} s")
    agreements = [parse_agreement(AGREEMENT, "bench-service-desk.yaml")]
    period = Period.parse(PERIOD)
    at = datetime.fromisoformat(AT.replace("Z", "+00:00")).astimezone(UTC)

    def run() -> Evaluation:
        return evaluate(agreements, tables, period, at)

    first = _timed(run)
    evaluation = run()
    missed = sum(not result.met for result in evaluation.agreements)
    print(f"first evaluation {first:.3f} s (loads the kernels; not timed): "
          f"{len(evaluation.agreements):,} results, {missed:,} missed\n")

    def table() -> None:
        render_table(evaluation, Console(file=io.StringIO(), width=100, highlight=False))

    runs: dict[str, list[float]] = {"evaluation": [], "table": [], "json": []}
    for _ in range(args.repeat):
        runs["evaluation"].append(_timed(run))
        runs["table"].append(_timed(table))
        # JSON on an evaluation of its own, not yet written: its items are built once, when
        # first read, as in `accord evaluate --format json`.
        fresh = run()
        runs["json"].append(_timed(lambda: fresh.write_json(io.StringIO())))  # noqa: B023

    evaluation_s = statistics.median(runs["evaluation"])
    print(f"{'':<12}{'median s':>10}{'share of evaluation':>22}   runs (s)")
    for name, times in runs.items():
        median = statistics.median(times)
        print(f"{name:<12}{median:>10.3f}{median / evaluation_s:>21.1%}   "
              + " ".join(f"{t:.3f}" for t in times))
    share = statistics.median(runs["table"]) / evaluation_s
    print(f"\ntable / evaluation = {share:.1%}   target <= {TARGET_SHARE:.0%}: "
          f"{'met' if share <= TARGET_SHARE else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
