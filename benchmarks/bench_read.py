"""Reading a data directory: ``accord.io.read_tables`` beside a plain ``pl.read_csv``.

Synthetic, seeded data from ``bench_evaluate.synthetic_tables`` (``--tickets`` tickets over
March 2026, status histories for 30 % of them), written as CSV by ``bench_evaluate.write_csv``
(instants as ``…Z``): about 100 MB of ``tickets.csv`` and 50 MB of ``ticket_status.csv`` for one
million tickets. Every cell is clean, so this measures the cost of *checking* clean data.

  floor   ``pl.read_csv(file, infer_schema=False)`` of both files: every cell as text, which is
          how Accord reads a CSV before it checks and types the cells.
  accord  ``accord.io.read_tables(directory)``: the same files read, every cell checked, the
          instants parsed, the ids checked for repeats.

Target: accord <= 1.5 x the floor. The two are interleaved run by run (a burst of noise lands
on both); figures are medians of ``--repeat`` runs after one unmeasured warm-up run (page
cache, first-call costs). Process CPU time is printed beside the wall time: on a shared
machine it is the steadier of the two.

By default the process is pinned to one CPU and Polars uses one thread; pass ``--no-pin`` to
use every core (Polars then sizes its thread pool itself unless POLARS_MAX_THREADS is set).

Run from the repository root:  .venv/bin/python benchmarks/bench_read.py [--tickets 1000000]
"""

from __future__ import annotations

import os
import sys

# The thread settings must precede the imports of Polars, numba and NumPy.
if "--no-pin" not in sys.argv:
    for _var in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
                 "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from accord.io import read_tables
from bench_evaluate import pin_to_one_cpu, synthetic_tables, verdict, write_csv

TARGET_RATIO = 1.5
FILES = ("tickets.csv", "ticket_status.csv")


def write_data(directory: Path, tickets: int, seed: int) -> None:
    begin = time.perf_counter()
    tables = synthetic_tables(tickets, seed)
    write_csv(tables.tickets, directory / "tickets.csv")
    write_csv(tables.ticket_status, directory / "ticket_status.csv")
    size = sum((directory / name).stat().st_size for name in FILES)
    print(f"wrote {tables.tickets.height:,} tickets and {tables.ticket_status.height:,} status "
          f"rows ({size / 1e6:,.1f} MB of CSV) to {directory} in "
          f"{time.perf_counter() - begin:.2f} s\n")


def measure(methods: dict[str, Callable[[], object]],
            repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds of each method, ``repeat`` times, the methods taking turns."""
    for method in methods.values():
        method()
    runs: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in methods}
    for _ in range(repeat):
        for name, method in methods.items():
            wall, cpu = time.perf_counter(), time.process_time()
            method()
            runs[name][0].append(time.perf_counter() - wall)
            runs[name][1].append(time.process_time() - cpu)
    return runs


def report(runs: dict[str, tuple[list[float], list[float]]]) -> bool:
    floor_wall, floor_cpu = (statistics.median(figures) for figures in runs["floor"])
    print(f"{'':8} {'wall s':>8} {'x floor':>8} {'CPU s':>8} {'x floor':>8}   wall runs (s)")
    ratio = 0.0
    for name, (wall, cpu) in runs.items():
        ratio = statistics.median(wall) / floor_wall
        shown = " ".join(f"{seconds:.3f}" for seconds in wall)
        print(f"{name:8} {statistics.median(wall):8.3f} {ratio:8.2f} "
              f"{statistics.median(cpu):8.3f} {statistics.median(cpu) / floor_cpu:8.2f}   "
              f"{shown}")
    ok = ratio <= TARGET_RATIO
    print(f"\ntarget: accord <= {TARGET_RATIO} x the floor (wall): {verdict(ok)} ({ratio:.2f} x)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="accord.io.read_tables beside pl.read_csv on the same clean CSV files.")
    parser.add_argument("--tickets", type=int, default=1_000_000,
                        help="tickets to generate (default 1 million)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (default 7)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed")
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="read the CSV files already in DIR instead of generating them")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="write the generated CSV files to DIR and keep them")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.repeat < 1:
        parser.error("need --tickets >= 1 and --repeat >= 1")

    pinning = "not pinned (--no-pin)" if args.no_pin else pin_to_one_cpu()
    print(f"Python {platform.python_version()}, Polars {pl.__version__}, {pinning}, "
          f"Polars threads {pl.thread_pool_size()}, median of {args.repeat} runs\n")

    directory = args.data or args.keep or Path(tempfile.mkdtemp(prefix="accord-bench-read-"))
    try:
        if args.data is None:
            directory.mkdir(parents=True, exist_ok=True)
            write_data(directory, args.tickets, args.seed)
        paths = [directory / name for name in FILES]
        runs = measure({
            "floor": lambda: [pl.read_csv(path, infer_schema=False) for path in paths],
            "accord": lambda: read_tables(directory),
        }, args.repeat)
    finally:
        if args.data is None and args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    return 0 if report(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
