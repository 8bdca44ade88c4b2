"""Whole ticket evaluation: in memory (tickets per second) and end to end through the CLI.

Synthetic, seeded data: ``--tickets`` tickets created over March 2026 (Europe/Berlin) for five
customers, two services, priorities P1-P3 and types incident/request; 30 % of them have a
status history of 2-6 rows with pauses (``pending_customer``) and reopens (``resolved`` then
``in_progress``). One service-based agreement (``customer: "*"``) has a response objective on
an office calendar (Mon-Fri 09:00-17:00, Berlin holidays) and a resolution objective on
``24x7`` that pauses on ``pending_customer`` and applies to incidents only.

  (a) in memory  ``accord.engine.evaluate(agreements, tables, Period.parse("2026-03"), at)``;
                 the first call (numba cache load, holiday tables) is reported, not timed.
                 Target: >= 5 million tickets/s on one core.
  (b) end to end ``accord evaluate … --format table`` as a subprocess on CSV files, beside
                 a fresh ``python -c`` process that only imports Polars and reads them, and
                 beside ``pl.read_csv`` of the same two files in this process (the ratio to
                 each is printed). Targets: <= 3x the Polars read in a process of its own, and
                 peak memory (max RSS of the subprocess) < 2 GB.

Figures are medians of ``--repeat`` runs. By default the process is pinned to one CPU and
Polars, numba and BLAS use one thread (the subprocess inherits both); set POLARS_MAX_THREADS
and pass ``--no-pin`` to measure on every core.

Run from the repository root:  .venv/bin/python benchmarks/bench_evaluate.py [--tickets 1000000]
"""

# ruff: noqa: E402  (the thread settings must precede the imports of Polars, numba and NumPy)
from __future__ import annotations

import os

for _var in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl

from accord.engine.clock import US, to_us
from accord.engine.periods import Period
from accord.engine.tables import INSTANT, SCHEMAS, TableName, Tables
from accord.model import parse_agreement

PERIOD = "2026-03"
AT = "2026-04-01T00:00:00Z"
ZONE = "Europe/Berlin"
TARGET_TICKETS_PER_S = 5_000_000
TARGET_RATIO = 3.0
TARGET_PEAK_BYTES = 2 * 1024**3

CUSTOMERS = np.array(["acme", "globex", "initech", "umbrella", "wonka"])
SERVICES = np.array(["service-desk", "billing-system"])
PRIORITIES = np.array(["P1", "P2", "P3"])
TYPES = np.array(["incident", "request"])
# Rows before the last of a history, in order: a pause, a resolution, a reopen, a pause again.
HISTORY = np.array(["in_progress", "pending_customer", "resolved", "in_progress",
                    "pending_customer"])
LAST_STATUSES = np.array(["resolved", "closed", "in_progress", "pending_customer"])
STOP = ("resolved", "closed")

AGREEMENT = """\
accord: 1
id: bench-service-desk
title: Service desk for every customer (benchmark)
type: sla
provider: northwind-it
customer: "*"
services: [service-desk, billing-system]
effective: {from: 2026-01-01}
timezone: Europe/Berlin
fee: {amount: 10000, currency: EUR, per: month}
credit_cap: 30%

calendars:
  office:
    hours:
      mon-fri: "09:00-17:00"
    holidays: {country: DE, subdivision: BE, dates: [2026-12-24, 2026-12-31]}

objectives:
  first-response:
    metric: response_time
    calendar: office
    targets: {P1: 30m, P2: 2h, P3: 8h}
    compliance: 95%
    credits:
      - {below: 95%, credit: 5%}
      - {below: 80%, credit: 10%}
  resolution:
    metric: resolution_time
    calendar: 24x7
    pause: [pending_customer]
    where: {type: [incident]}
    targets: {P1: 4h, P2: 24h, P3: 72h}
    compliance: 90%
    credit_per_breach: 0.01%
"""

Instants = npt.NDArray[np.int64]


# --- synthetic data ----------------------------------------------------------------------------


def _instants(values: Instants, missing: npt.NDArray[np.bool_] | None = None) -> pl.Series:
    series = pl.Series(values, dtype=pl.Int64)
    if missing is not None:
        series = series.scatter(np.flatnonzero(missing), None)
    return series.cast(INSTANT)


def _ids(prefix: str, n: int) -> pl.Series:
    return pl.select(pl.format(f"{prefix}{{}}", pl.int_range(n, dtype=pl.Int64)
                               .cast(pl.String).str.zfill(7))).to_series()


def synthetic_tables(n: int, seed: int) -> Tables:
    """``n`` tickets over March 2026 (Berlin) and the status histories of 30 % of them."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(ZONE)
    month_start = to_us(datetime(2026, 3, 1, tzinfo=zone)) // US
    month_end = to_us(datetime(2026, 4, 1, tzinfo=zone)) // US
    created = rng.integers(month_start, month_end, size=n, dtype=np.int64)
    hours = 3600.0
    responded = created + rng.exponential(3 * hours, size=n).astype(np.int64) + 60
    resolved = responded + rng.exponential(30 * hours, size=n).astype(np.int64)
    no_response = rng.random(n) < 0.05
    unresolved = rng.random(n) < 0.10

    with_history = rng.random(n) < 0.30
    owners = np.flatnonzero(with_history)
    rows_per = rng.integers(2, 7, size=len(owners))
    total = int(rows_per.sum())
    owner = np.repeat(owners, rows_per)
    first_row = np.repeat(np.cumsum(rows_per) - rows_per, rows_per)
    position = np.arange(total) - first_row
    is_last = position == np.repeat(rows_per - 1, rows_per)
    gaps = rng.exponential(6 * hours, size=total).astype(np.int64) + 1
    running = np.cumsum(gaps)
    since_created = running - (running - gaps)[first_row]  # the sum of the ticket's own gaps
    status_at = created[owner] + since_created
    status = HISTORY[np.minimum(position, len(HISTORY) - 1)]
    last_choice = rng.choice(len(LAST_STATUSES), size=len(owners), p=[0.6, 0.2, 0.1, 0.1])
    status[is_last] = LAST_STATUSES[last_choice]
    # A ticket with a history is resolved when (and at the instant) its last status stops it.
    stopped = np.isin(LAST_STATUSES[last_choice], STOP)
    resolved[owners] = status_at[is_last]
    unresolved[owners] = ~stopped

    ids = _ids("T-", n)
    tickets = pl.DataFrame({
        "id": ids,
        "customer": CUSTOMERS[rng.integers(0, len(CUSTOMERS), size=n)],
        "service": SERVICES[(rng.random(n) < 0.3).astype(np.int64)],
        "priority": PRIORITIES[rng.choice(3, size=n, p=[0.1, 0.3, 0.6])],
        "created_at": _instants(created * US),
        "first_response_at": _instants(responded * US, no_response),
        "resolved_at": _instants(resolved * US, unresolved),
        "type": TYPES[(rng.random(n) < 0.3).astype(np.int64)],
        "supplier": pl.Series([None] * n, dtype=pl.String),
    }, schema=SCHEMAS[TableName.TICKETS])
    ticket_status = pl.DataFrame({
        "ticket_id": ids.gather(owner),
        "at": _instants(status_at * US),
        "status": status,
    }, schema=SCHEMAS[TableName.TICKET_STATUS])
    return Tables(tickets=tickets, ticket_status=ticket_status)


def write_csv(frame: pl.DataFrame, path: Path) -> None:
    """Instants as ISO 8601 in UTC with ``Z``, as DESIGN.md §4 asks."""
    frame.with_columns(
        pl.col(name).dt.to_string("%Y-%m-%dT%H:%M:%SZ")
        for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)
    ).write_csv(path)


# --- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    max_rss_bytes: int
    returncode: int
    stdout: bytes
    cpu_seconds: float = 0.0  # user + system time of the child: steadier than wall time on a
    # machine that others use too


# Children keep Python's bytecode caches, as every installed package (Polars' included) has
# them: an environment that sets PYTHONDONTWRITEBYTECODE would make only Accord's own modules,
# installed in editable mode from src/, compile again on every run.
_CHILD_ENV = {name: value for name, value in os.environ.items()
              if name != "PYTHONDONTWRITEBYTECODE"}


def run_child(command: list[str], scratch: Path,
              env: dict[str, str] | None = None) -> ChildRun:
    """Run ``command``; its own wall time and peak memory (``wait4``'s rusage of that child)."""
    out_path = scratch / "stdout.txt"
    with open(out_path, "wb") as out:
        begin = time.perf_counter_ns()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                 env=_CHILD_ENV if env is None else env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = (time.perf_counter_ns() - begin) / 1e9
    child.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return ChildRun(seconds, usage.ru_maxrss * scale, child.returncode, out_path.read_bytes(),
                    usage.ru_utime + usage.ru_stime)


def accord_command() -> list[str]:
    script = Path(sys.executable).with_name("accord")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "accord"]


def median_seconds(fn: object, repeat: int) -> tuple[float, list[float]]:
    assert callable(fn)
    runs = []
    for _ in range(repeat):
        begin = time.perf_counter_ns()
        fn()
        runs.append((time.perf_counter_ns() - begin) / 1e9)
    return statistics.median(runs), runs


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def in_memory(tables: Tables, repeat: int) -> bool:
    try:
        from accord.engine import evaluate
    except ImportError as error:
        print(f"(a) skipped: accord.engine.evaluate is not importable yet ({error})")
        return False
    agreements = [parse_agreement(AGREEMENT, "bench-service-desk.yaml")]
    period = Period.parse(PERIOD)
    at = datetime.fromisoformat(AT.replace("Z", "+00:00")).astimezone(UTC)
    n = tables.tickets.height

    begin = time.perf_counter()
    try:
        result = evaluate(agreements, tables, period, at)
    except Exception as error:  # the engine is young: report, and go on to the CLI figures
        print(f"(a) failed: evaluate raised {type(error).__name__}: {error}")
        return False
    first = time.perf_counter() - begin
    seconds, runs = median_seconds(lambda: evaluate(agreements, tables, period, at), repeat)
    rate = n / seconds
    print(f"(a) in memory: first call {first:.3f} s (not timed); runs "
          + " ".join(f"{r:.3f}" for r in runs) + " s")
    print(f"    median {seconds:.3f} s for {n:,} tickets = {rate / 1e6:.2f} million tickets/s"
          f"   target >= {TARGET_TICKETS_PER_S / 1e6:.0f} million/s: "
          f"{verdict(rate >= TARGET_TICKETS_PER_S)}")
    # The evidence items are built when first read: time that too, so nothing hides there.
    with_items, _ = median_seconds(
        lambda: evaluate(agreements, tables, period, at).items, repeat)
    print(f"    with the evidence items built too: median {with_items:.3f} s = "
          f"{n / with_items / 1e6:.2f} million tickets/s")
    print(f"    {len(result.agreements)} agreement results, {result.items.height:,} items")
    for agreement in result.agreements:
        cells = ", ".join(
            f"{o.id} {o.counted:,} counted / {o.breached:,} breached / {o.pending:,} pending"
            for o in agreement.objectives)
        print(f"      {agreement.customer:<9} {cells}")
    return True


def end_to_end(tables: Tables, repeat: int, keep: Path | None,
               baseline: Path | None = None) -> None:
    directory = Path(tempfile.mkdtemp(prefix="accord-bench-")) if keep is None else keep
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    data.mkdir(exist_ok=True)
    try:
        begin = time.perf_counter()
        write_csv(tables.tickets, data / "tickets.csv")
        write_csv(tables.ticket_status, data / "ticket_status.csv")
        agreement_file = directory / "bench-service-desk.yaml"
        agreement_file.write_text(AGREEMENT, encoding="utf-8")
        size = sum(p.stat().st_size for p in data.iterdir())
        print(f"(b) wrote {size / 1e6:,.1f} MB of CSV to {data} in "
              f"{time.perf_counter() - begin:.2f} s")
        if baseline is not None:
            compare(agreement_file, data, tables, directory, baseline, repeat)
            return

        read_s, read_runs = median_seconds(
            lambda: (pl.read_csv(data / "tickets.csv"), pl.read_csv(data / "ticket_status.csv")),
            repeat)

        # Where the CLI's time goes: Accord's own reading and checking of the same files.
        try:
            from accord.io import read_tables
        except ImportError:
            read_tables = None
        accord_read = (median_seconds(lambda: read_tables(data), repeat)
                       if read_tables is not None else None)

        accord = accord_command()
        startup = [run_child([*accord, "--help"], directory) for _ in range(repeat)]
        # The same read in a fresh process: interpreter start and Polars' import included, as
        # they are in the CLI's time.
        polars_only = [sys.executable, "-c", "import sys, polars as pl; "
                       "[pl.read_csv(p) for p in sys.argv[1:]]",
                       str(data / "tickets.csv"), str(data / "ticket_status.csv")]

        def evaluate_command(data_dir: Path) -> list[str]:
            return evaluate_args(agreement_file, data_dir)

        command = evaluate_command(data)
        print("    " + " ".join(command))
        # The fixed cost of the evaluate path (imports, numba cache, holiday tables): one ticket.
        one = directory / "data-one-ticket"
        one.mkdir(exist_ok=True)
        write_csv(tables.tickets.head(1), one / "tickets.csv")
        write_csv(tables.ticket_status.head(0), one / "ticket_status.csv")
        run_child(evaluate_command(one), directory)  # warm-up: bytecode and numba caches
        # Interleaved run by run, so a burst of noise lands on both.
        runs, fresh = [], []
        for _ in range(repeat):
            fresh.append(run_child(polars_only, directory))
            runs.append(run_child(command, directory))
        fixed = [run_child(evaluate_command(one), directory) for _ in range(repeat)]
        failed = [r for r in runs if r.returncode != 0]
        if failed:
            print(f"    the CLI failed (exit {failed[0].returncode}):")
            print("    " + failed[0].stdout.decode(errors="replace")[-3000:]
                  .replace("\n", "\n    "))
            return
        cli_s = statistics.median(r.seconds for r in runs)
        peak = max(r.max_rss_bytes for r in runs)
        startup_s = statistics.median(r.seconds for r in startup)
        lines = runs[0].stdout.decode(errors="replace").splitlines()
        print(f"    CLI output: {len(runs[0].stdout):,} bytes, {len(lines):,} lines; first lines:")
        for line in lines[:12]:
            print(f"      | {line}")

        ratio = cli_s / read_s
        fresh_s = statistics.median(r.seconds for r in fresh)
        print()
        header = f"    {'step':<44} {'median s':>9}  runs (s)"
        print(header)
        print("    " + "-" * (len(header) - 4))
        print(f"    {'pl.read_csv of both files (this process)':<44} {read_s:>9.3f}  "
              + " ".join(f"{r:.3f}" for r in read_runs))
        print(f"    {'python -c: import polars, read both (process)':<44} {fresh_s:>9.3f}  "
              + " ".join(f"{r.seconds:.3f}" for r in fresh))
        if accord_read is not None:
            print(f"    {'accord.io.read_tables (this process)':<44} {accord_read[0]:>9.3f}  "
                  + " ".join(f"{r:.3f}" for r in accord_read[1]))
        print(f"    {'accord --help (interpreter + CLI startup)':<44} {startup_s:>9.3f}  "
              + " ".join(f"{r.seconds:.3f}" for r in startup))
        if all(r.returncode == 0 for r in fixed):
            print(f"    {'accord evaluate, 1 ticket (fixed cost)':<44} "
                  f"{statistics.median(r.seconds for r in fixed):>9.3f}  "
                  + " ".join(f"{r.seconds:.3f}" for r in fixed))
        print(f"    {'accord evaluate … --format table':<44} {cli_s:>9.3f}  "
              + " ".join(f"{r.seconds:.3f}" for r in runs))
        # The CLI is a process, so the target is judged against a process that only reads
        # the files with Polars; the read inside this already started process is shown too.
        print(f"    ratio CLI / a fresh process that imports Polars and reads: "
              f"{cli_s / fresh_s:.2f}x   target <= {TARGET_RATIO:.0f}x: "
              f"{verdict(cli_s / fresh_s <= TARGET_RATIO)}")
        print(f"    ratio CLI / pl.read_csv in this process (no start-up, Polars imported): "
              f"{ratio:.2f}x   (for reference)")
        print(f"    peak memory of the CLI (max RSS): {peak / 2**20:,.0f} MiB   target < 2 GiB: "
              f"{verdict(peak < TARGET_PEAK_BYTES)}")
    finally:
        if keep is None:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            print(f"    kept the data in {directory}")


def evaluate_args(agreement_file: Path, data: Path) -> list[str]:
    return [*accord_command(), "evaluate", "--agreements", str(agreement_file),
            "--data", str(data), "--period", PERIOD, "--at", AT, "--format", "table"]


def compare(agreement_file: Path, data: Path, tables: Tables, directory: Path,
            baseline: Path, repeat: int) -> None:
    """``accord evaluate`` with this checkout's Accord and with the one whose sources are at
    ``baseline`` (``PYTHONPATH``), run by run alternately, so that a burst of noise on a
    shared machine lands on both: medians and the ratio, on 1 ticket and on all."""
    command = evaluate_args(agreement_file, data)
    print("    " + " ".join(command))
    one = directory / "data-one-ticket"
    one.mkdir(exist_ok=True)
    write_csv(tables.tickets.head(1), one / "tickets.csv")
    write_csv(tables.ticket_status.head(0), one / "ticket_status.csv")
    envs = {"this checkout": _CHILD_ENV,
            f"baseline {baseline}": {**_CHILD_ENV, "PYTHONPATH": str(baseline.resolve())}}
    for env in envs.values():  # warm-up: bytecode and numba caches of both
        run_child(evaluate_args(agreement_file, one), directory, env)
    outputs = {}
    for label, args in (("accord evaluate, 1 ticket", evaluate_args(agreement_file, one)),
                        (f"accord evaluate, {tables.tickets.height:,} tickets", command)):
        seconds: dict[str, list[float]] = {name: [] for name in envs}
        cpu: dict[str, list[float]] = {name: [] for name in envs}
        for _ in range(repeat):
            for name, env in envs.items():
                run = run_child(args, directory, env)
                if run.returncode != 0:
                    print(f"    {name} failed (exit {run.returncode}):\n"
                          + run.stdout.decode(errors="replace")[-3000:])
                    return
                seconds[name].append(run.seconds)
                cpu[name].append(run.cpu_seconds)
                outputs[name] = run.stdout
        width = max(map(len, envs))
        for what, figures in (("wall", seconds), ("CPU (user + system)", cpu)):
            print(f"\n    {label}, {what} time: median s, and runs (s)")
            for name, runs in figures.items():
                print(f"      {name:<{width}} {statistics.median(runs):>7.3f}  "
                      + " ".join(f"{r:.3f}" for r in runs))
            this, base = (statistics.median(runs) for runs in figures.values())
            print(f"      ratio this / baseline: {this / base:.3f}")
    same = len(set(outputs.values())) == 1
    print(f"\n    the two outputs on all tickets are {'identical' if same else 'DIFFERENT'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Ticket evaluation throughput in memory, and end to end through the CLI.")
    parser.add_argument("--tickets", type=int, default=1_000_000,
                        help="tickets to generate (default 1 million)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed")
    parser.add_argument("--skip-cli", action="store_true", help="only the in-memory figure")
    parser.add_argument("--only-cli", action="store_true",
                        help="only the end-to-end figures (no in-memory figure)")
    parser.add_argument("--baseline-src", type=Path, default=None, metavar="SRC",
                        help="end to end only: time `accord evaluate` from this checkout and "
                             "from another one's src/ (its PYTHONPATH), alternately, and "
                             "print the medians and their ratio")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="write the CSV files and agreement to DIR and keep them")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.repeat < 1:
        parser.error("need --tickets >= 1 and --repeat >= 1")
    if args.skip_cli and (args.only_cli or args.baseline_src is not None):
        parser.error("--skip-cli leaves nothing to run with --only-cli or --baseline-src")
    if args.baseline_src is not None and not (args.baseline_src / "accord").is_dir():
        parser.error(f"--baseline-src {args.baseline_src}: no accord package there "
                     "(give the src/ folder of another checkout)")

    pinning = "not pinned (--no-pin)" if args.no_pin else pin_to_one_cpu()
    print(f"Python {platform.python_version()}, Polars {pl.__version__}, NumPy {np.__version__}")
    print(f"{pinning}, POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']}, "
          f"{args.tickets:,} tickets, seed {args.seed}, median of {args.repeat} runs\n")

    begin = time.perf_counter()
    tables = synthetic_tables(args.tickets, args.seed)
    print(f"generated {tables.tickets.height:,} tickets and {tables.ticket_status.height:,} "
          f"status rows in {time.perf_counter() - begin:.2f} s\n")

    ok = True
    if not (args.only_cli or args.baseline_src is not None):
        ok = in_memory(tables, args.repeat)
        print()
    if not args.skip_cli:
        end_to_end(tables, args.repeat, args.keep, args.baseline_src)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
