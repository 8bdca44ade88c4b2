"""The database: bulk ingestion into SQLite and PostgreSQL beside a driver-only floor, re-ingest
of an unchanged file, and evaluating a month of stored tickets and storing the result.

Synthetic, seeded data from ``bench_evaluate.py`` (``synthetic_tables``, ``write_csv``):
``--tickets`` tickets over March 2026 and the status histories of 30 % of them, as CSV.

Per database (``--db sqlite|postgres|both``), each run on a fresh database, interleaved run by
run so that a burst of noise lands on every figure:

  floor      the same CSV into a bare table (no key, no index) with the driver alone, in one
             transaction. SQLite: ``pl.read_csv`` (all text) then ``executemany``; PostgreSQL:
             the file's bytes through psycopg ``COPY … FROM STDIN (FORMAT csv, HEADER)``.
  ingest     ``accord.store.ingest.ingest_file`` on ``tickets.csv``, in this process: the very
             function ``accord ingest`` calls for each file (reading and checking the file,
             staging, the keyed upsert, one transaction), without the CLI's start-up.
             Targets: >= 150,000 rows/s (PostgreSQL), >= 100,000 rows/s (SQLite), <= 2x floor.
  re-ingest  the same file again into the same database: every row unchanged. Target: at
             least as fast as the first ingest.
  evaluate   ``accord evaluate --period 2026-03 --at … --db URL`` as a subprocess, end to end
             (start-up, reading the stored tables, evaluating, storing the result with its
             evidence items), on a database holding the tickets and their status rows.
             Target: <= 15 s.

PostgreSQL: a throwaway server started here as the tests start theirs (``initdb``/``pg_ctl``
from /usr/lib/postgresql/15/bin as the ``postgres`` user, a free port, fsync off, in a
temporary directory, stopped at exit), unless ``--postgres-url`` names one (a database is
created and dropped on it per run). The client (this process and its children) is pinned to
one CPU unless ``--no-pin``; the server is not.

Run from the repository root:  .venv/bin/python benchmarks/bench_store.py [--tickets 1000000]
(``--skip-ingest``: the evaluate figures alone; ``--skip-evaluate``: the ingestion ones alone)
"""

# ruff: noqa: E402  (the thread settings must precede the imports of Polars, numba and NumPy)
from __future__ import annotations

import os

for _var in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import atexit
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import psycopg
import sqlalchemy
from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).parent))
from accord.engine import TableName
from accord.store import connect, get_settings
from accord.store.agreements import apply_agreements
from accord.store.ingest import ingest_file
from bench_evaluate import AGREEMENT, AT, PERIOD, accord_command, synthetic_tables, write_csv

TARGET_ROWS_PER_S = {"sqlite": 100_000, "postgres": 150_000}
TARGET_FLOOR_RATIO = 2.0
TARGET_EVALUATE_S = 15.0
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")

TICKET_COLUMNS = ("id", "customer", "service", "priority", "created_at", "first_response_at",
                  "resolved_at", "type", "supplier")
INSTANT_COLUMNS = ("created_at", "first_response_at", "resolved_at")


# --- databases ---------------------------------------------------------------------------------


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_postgres(binaries: Path) -> str:
    """A throwaway PostgreSQL server (stopped and removed at exit); its URL, no database."""
    base = Path(tempfile.mkdtemp(prefix="accord-bench-pg-"))
    data, sockets = base / "data", base / "sockets"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        for path in (base, data, sockets):
            shutil.chown(path, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U",
                                "postgres", "-E", "UTF8", "--no-sync"),
                   check=True, capture_output=True, timeout=300)
    options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c full_page_writes=off -c synchronous_commit=off")
    subprocess.run(_as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                                "-l", str(base / "server.log"), "-w", "start"),
                   check=True, capture_output=True, timeout=300)

    def stop() -> None:
        subprocess.run(_as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                    "-w", "stop"), check=False, capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


@dataclass
class Backend:
    """Fresh databases of one kind, on demand."""

    name: str  # "sqlite" or "postgres"
    scratch: Path
    server: str | None = None
    _made: list[str] = field(default_factory=list)

    @contextmanager
    def fresh(self) -> Iterator[str]:
        """The URL of a new, empty database, dropped (removed) afterwards."""
        if self.name == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="db-", dir=self.scratch))
            try:
                yield f"sqlite:///{folder / 'bench.db'}"
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            return
        assert self.server is not None
        name = f"accord_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.libpq(self.server), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(self.server).set(database=name).render_as_string(hide_password=False)
        finally:
            with psycopg.connect(self.libpq(self.server), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @staticmethod
    def libpq(url: str) -> str:
        """A SQLAlchemy-style URL as libpq takes it (no ``+driver``)."""
        return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- the floor: the driver alone ---------------------------------------------------------------


def floor_sqlite(url: str, csv: Path) -> int:
    """``pl.read_csv`` (every cell as text), then ``executemany`` into a bare table in one
    transaction, with the pragmas Accord uses (WAL, synchronous=NORMAL)."""
    frame = pl.read_csv(csv, infer_schema=False)
    connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"CREATE TABLE bare ({', '.join(f'{c} TEXT' for c in frame.columns)})")
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO bare VALUES ({', '.join('?' for _ in frame.columns)})",
            frame.iter_rows())
        connection.execute("COMMIT")
        return int(connection.execute("SELECT count(*) FROM bare").fetchone()[0])
    finally:
        connection.close()


def floor_postgres(url: str, csv: Path) -> int:
    """The file's bytes through ``COPY bare FROM STDIN (FORMAT csv, HEADER)`` in one
    transaction, into a bare table of text and ``timestamptz`` columns."""
    header = csv.open(encoding="utf-8").readline().strip().split(",")
    columns = ", ".join(f'"{c}" {"timestamptz" if c in INSTANT_COLUMNS else "text"}'
                        for c in header)
    with psycopg.connect(Backend.libpq(url)) as connection:
        connection.execute(f"CREATE TABLE bare ({columns})")
        with connection.cursor() as cursor, cursor.copy(
                "COPY bare FROM STDIN (FORMAT csv, HEADER true)") as copy, csv.open("rb") as file:
            while block := file.read(1 << 20):
                copy.write(block)
        connection.commit()
        row = connection.execute("SELECT count(*) FROM bare").fetchone()
        assert row is not None
        return int(row[0])


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Figure:
    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def shown(self) -> str:
        return " ".join(f"{r:.2f}" for r in self.runs)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    begin = time.perf_counter()
    result = fn()
    return time.perf_counter() - begin, result


def pin_to_one_cpu() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"client pinned to CPU {cpu}"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def ingest_run(backend: Backend, tickets_csv: Path, n: int
               ) -> tuple[float, float, float]:
    """One run: (floor s, ingest s, re-ingest s), each on a fresh database."""
    with backend.fresh() as url:
        seconds, loaded = timed(lambda: (floor_sqlite if backend.name == "sqlite"
                                         else floor_postgres)(url, tickets_csv))
        assert loaded == n, f"the floor loaded {loaded} rows, not {n}"
        floor = seconds
    with backend.fresh() as url:
        engine = connect(get_settings(url))  # creates the schema: not timed
        try:
            first, load = timed(lambda: ingest_file(engine, tickets_csv, TableName.TICKETS))
            assert getattr(load, "inserted", None) == n, load
            again, load = timed(lambda: ingest_file(engine, tickets_csv, TableName.TICKETS))
            assert getattr(load, "unchanged", None) == n, load
        finally:
            engine.dispose()
    return floor, first, again


def evaluate_runs(backend: Backend, data: Path, agreement: Path, repeat: int
                  ) -> tuple[Figure, float, int, str]:
    """``accord evaluate`` from a database of the tickets and their status rows, ``repeat``
    times (each stores a new current result): (figure, status-row load s, status rows,
    first output lines)."""
    figure = Figure()
    with backend.fresh() as url:
        engine = connect(get_settings(url))
        try:
            apply_agreements(engine, [agreement], by="bench", now=datetime.now(UTC))
            ingest_file(engine, data / "tickets.csv", TableName.TICKETS)
            status_s, load = timed(lambda: ingest_file(engine, data / "ticket_status.csv",
                                                       TableName.TICKET_STATUS))
            status_rows = int(getattr(load, "inserted", 0))
        finally:
            engine.dispose()
        command = [*accord_command(), "evaluate", "--period", PERIOD, "--at", AT, "--format",
                   "table", "--db", url]
        output = ""
        for _ in range(repeat):
            seconds, done = timed(lambda: subprocess.run(
                command, capture_output=True, text=True, check=False,
                env={**os.environ, "COLUMNS": "160"}))
            assert isinstance(done, subprocess.CompletedProcess)
            if done.returncode != 0:
                raise SystemExit(f"accord evaluate failed (exit {done.returncode}):\n"
                                 f"{done.stderr[-3000:]}")
            figure.runs.append(seconds)
            output = done.stdout + done.stderr
        engine = sqlalchemy.create_engine(get_settings(url).database_url)
        try:
            with engine.connect() as connection:
                stored = connection.exec_driver_sql("SELECT count(*) FROM evaluations").scalar()
        finally:
            engine.dispose()
        assert stored == repeat, f"{stored} evaluations stored, not {repeat}"
    return figure, status_s, status_rows, output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Ingestion into SQLite and PostgreSQL beside a driver-only floor, "
                    "re-ingest, and evaluate + store from the database.")
    parser.add_argument("--tickets", type=int, default=1_000_000,
                        help="tickets to generate (default 1 million)")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--seed", type=int, default=20260301, help="random seed")
    parser.add_argument("--postgres-url", default=None,
                        help="a PostgreSQL server to use (databases are created and dropped "
                             "on it) instead of a throwaway one")
    parser.add_argument("--postgres-bin", type=Path, default=POSTGRES_BIN,
                        help=f"PostgreSQL's programs (default {POSTGRES_BIN})")
    parser.add_argument("--skip-evaluate", action="store_true",
                        help="only the ingestion figures")
    parser.add_argument("--skip-ingest", action="store_true",
                        help="only the evaluate figures (no floor, ingest or re-ingest runs)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.repeat < 1:
        parser.error("need --tickets >= 1 and --repeat >= 1")
    if args.skip_evaluate and args.skip_ingest:
        parser.error("--skip-evaluate and --skip-ingest leave nothing to measure")
    names = ["sqlite", "postgres"] if args.db == "both" else [args.db]

    scratch = Path(tempfile.mkdtemp(prefix="accord-bench-store-"))
    atexit.register(shutil.rmtree, scratch, True)
    server = None
    if "postgres" in names:
        server = args.postgres_url or start_postgres(args.postgres_bin)
    # After the server starts, so that only the client is pinned.
    pinning = "not pinned (--no-pin)" if args.no_pin else pin_to_one_cpu()
    print(f"Python {platform.python_version()}, Polars {pl.__version__}, SQLAlchemy "
          f"{sqlalchemy.__version__}, psycopg {psycopg.__version__}, SQLite "
          f"{sqlite3.sqlite_version}")
    if server is not None:
        with psycopg.connect(Backend.libpq(server)) as connection:
            version = connection.execute("SHOW server_version").fetchone()
        shown = make_url(server).render_as_string(hide_password=True)
        print(f"PostgreSQL {version[0] if version else '?'} at {shown}"
              + ("" if args.postgres_url else " (throwaway, fsync off)"))
    print(f"{pinning}, {args.tickets:,} tickets, seed {args.seed}, median of {args.repeat} runs\n")

    begin = time.perf_counter()
    tables = synthetic_tables(args.tickets, args.seed)
    data = scratch / "data"
    data.mkdir()
    write_csv(tables.tickets, data / "tickets.csv")
    write_csv(tables.ticket_status, data / "ticket_status.csv")
    agreement = scratch / "bench-service-desk.yaml"
    agreement.write_text(AGREEMENT, encoding="utf-8")
    n = tables.tickets.height
    print(f"generated and wrote {n:,} tickets ({(data / 'tickets.csv').stat().st_size / 1e6:.1f}"
          f" MB of CSV) and {tables.ticket_status.height:,} status rows in "
          f"{time.perf_counter() - begin:.2f} s")
    del tables

    backends = [Backend(name, scratch, server if name == "postgres" else None)
                for name in names]
    figures = {b.name: (Figure(), Figure(), Figure()) for b in backends}
    for run in range(0 if args.skip_ingest else args.repeat):
        for backend in backends:  # interleaved, run by run
            floor, first, again = ingest_run(backend, data / "tickets.csv", n)
            for figure, seconds in zip(figures[backend.name], (floor, first, again),
                                       strict=True):
                figure.runs.append(seconds)
            print(f"  run {run + 1} {backend.name:<8} floor {floor:6.2f} s   ingest "
                  f"{first:6.2f} s   re-ingest {again:6.2f} s", flush=True)

    evaluated = {}
    if not args.skip_evaluate:
        for backend in backends:
            evaluated[backend.name] = evaluate_runs(backend, data, agreement, args.repeat)
            figure = evaluated[backend.name][0]
            print(f"  {backend.name:<8} accord evaluate runs {figure.shown()} s", flush=True)

    print()
    header = (f"{'database':<10} {'step':<42} {'median s':>9} {'rows/s':>10} {'x floor':>8}  "
              f"{'target':<30} runs (s)")
    print(header)
    print("-" * len(header))
    ok = True
    for backend in backends:
        floor, first, again = figures[backend.name]
        label = "SQLite" if backend.name == "sqlite" else "PostgreSQL"
        if not args.skip_ingest:  # no ingestion figures to show
            floor_how = ("read_csv + executemany" if backend.name == "sqlite" else "psycopg COPY")
            rate = n / first.median
            ratio = first.median / floor.median
            target = TARGET_ROWS_PER_S[backend.name]
            rows_ok = rate >= target and ratio <= TARGET_FLOOR_RATIO
            again_ok = again.median <= first.median
            ok &= rows_ok and again_ok
            print(f"{label:<10} {'floor: ' + floor_how + ', bare table':<42} {floor.median:>9.2f} "
                  f"{n / floor.median:>10,.0f} {1.0:>8.2f}  {'':<30} {floor.shown()}")
            print(f"{'':<10} {'accord ingest (ingest_file)':<42} {first.median:>9.2f} {rate:>10,.0f} "
                  f"{ratio:>8.2f}  {f'>= {target:,}/s, <= 2x: ' + verdict(rows_ok):<30} "
                  f"{first.shown()}")
            print(f"{'':<10} {'re-ingest, all unchanged':<42} {again.median:>9.2f} "
                  f"{n / again.median:>10,.0f} {again.median / floor.median:>8.2f}  "
                  f"{'<= ingest: ' + verdict(again_ok):<30} {again.shown()}")
        if backend.name in evaluated:
            figure, status_s, status_rows, _ = evaluated[backend.name]
            evaluate_ok = figure.median <= TARGET_EVALUATE_S
            ok &= evaluate_ok
            shown = label if args.skip_ingest else ""
            print(f"{shown:<10} {'(status rows, ingested once)':<42} {status_s:>9.2f} "
                  f"{status_rows / status_s:>10,.0f} {'':>8}  {'':<30} {status_rows:,} rows")
            print(f"{'':<10} {'accord evaluate --db (subprocess)':<42} {figure.median:>9.2f} "
                  f"{'':>10} {'':>8}  {'<= 15 s: ' + verdict(evaluate_ok):<30} "
                  f"{figure.shown()}")
    for name, (_, _, _, output) in evaluated.items():
        print(f"\naccord evaluate on {name}, last run's first lines:")
        for line in output.splitlines()[:8]:
            print(f"  | {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
