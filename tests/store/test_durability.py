"""Nothing lost (issue 3, item 6): a killed load leaves the whole file or none of it, and
loads running beside evaluations neither fail nor tear what the evaluations see.

Every test drives ``accord`` in subprocesses, on SQLite (WAL) and PostgreSQL (the ``db_url``
fixture of ``tests/conftest.py``), and takes from seconds to a minute: ``slow``.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from accord.io import write_table
from accord.store import connect, get_settings
from accord.store.results import result_history

EXAMPLES = Path(__file__).parents[2] / "examples"
ROOT = Path(__file__).parents[2]

pytestmark = [pytest.mark.db, pytest.mark.slow]


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def tickets(path: Path, rows: int, priority: str = "P2") -> Path:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    created = pl.Series([start + timedelta(minutes=i) for i in range(rows)])
    frame = pl.DataFrame({
        "id": [f"T-{i:07d}" for i in range(rows)], "customer": "acme",
        "service": "billing-system", "priority": priority, "created_at": created,
        "resolved_at": created + timedelta(hours=3), "type": "incident"})
    write_table(frame, path)
    return path


def test_a_load_killed_before_its_commit_leaves_nothing(engine: Engine, db_url: str,
                                                        tmp_path: Path) -> None:
    file = tickets(tmp_path / "tickets.csv", 20_000)
    # The load is killed (SIGKILL) after every row is written, just before the commit.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from accord.engine import TableName
        from accord.store import connect, get_settings
        from accord.store import ingest
        upsert = ingest._upsert
        def upsert_then_die(*args):
            upsert(*args)
            os.kill(os.getpid(), signal.SIGKILL)
        ingest._upsert = upsert_then_die
        ingest.ingest_file(connect(get_settings({db_url!r})), Path({str(file)!r}),
                           TableName.TICKETS)
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert count(engine, "tickets") == 0
    again = subprocess.run([sys.executable, "-m", "accord", "ingest", str(file), "--db", db_url],
                           capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert "20000 inserted" in again.stdout
    assert count(engine, "tickets") == 20_000


def test_a_load_killed_at_any_moment_leaves_all_or_nothing(engine: Engine, db_url: str,
                                                           tmp_path: Path) -> None:
    file = tickets(tmp_path / "tickets.csv", 200_000)
    for delay in (0.8, 1.6, 2.4):
        process = subprocess.Popen([sys.executable, "-m", "accord", "ingest", str(file), "--db",
                                    db_url], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        assert count(engine, "tickets") in (0, 200_000), delay
    again = subprocess.run([sys.executable, "-m", "accord", "ingest", str(file), "--db", db_url],
                           capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    assert count(engine, "tickets") == 200_000


def test_loads_beside_evaluations_neither_fail_nor_tear(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = tickets(tmp_path / "a" / "tickets.csv", 3_000, "P2")
    b = tickets(tmp_path / "b" / "tickets.csv", 3_000, "P1")
    agreements = EXAMPLES / "agreements" / "northwind-acme-billing.yaml"
    at = "2026-05-01T00:00:00Z"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                              text=True, timeout=300, check=False, cwd=ROOT)

    expected = set()
    for data in (a.parent, b.parent):
        result = run("evaluate", "--agreements", str(agreements), "--data", str(data),
                     "--period", "2026-03", "--at", at, "--format", "json")
        assert result.returncode == 0, result.stderr
        expected.add(result.stdout)
    assert run("apply", str(agreements), "--db", db_url).returncode == 0
    assert run("ingest", str(a), "--db", db_url).returncode == 0
    script = textwrap.dedent(f"""
        import subprocess, sys
        for i in range(6):
            file = {str(b)!r} if i % 2 == 0 else {str(a)!r}
            subprocess.run([sys.executable, "-m", "accord", "ingest", file, "--db",
                            {db_url!r}], check=True, capture_output=True)
    """)
    seen = []
    with subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE,
                          text=True) as loader:
        while loader.poll() is None or not seen:
            result = run("evaluate", "--period", "2026-03", "--at", at, "--format", "json",
                         "--db", db_url)
            assert result.returncode == 0, result.stderr
            seen.append(result.stdout)
        _, errors = loader.communicate(timeout=300)
    assert loader.returncode == 0, errors
    assert all(output in expected for output in seen)
    stored = run("results", "show", "northwind-acme-billing", "--period", "2026-03",
                 "--history", "--format", "json", "--db", db_url)
    assert stored.returncode == 0, stored.stderr
    assert len(json.loads(stored.stdout)) == len(seen)


# --- driving `accord ingest` itself: killed while it writes; loads beside evaluations ------

# Generous bounds: these run on loaded 2-core machines.
COMMAND_TIMEOUT_S = 300.0
CATCH_TIMEOUT_S = 240.0
POLL_S = 0.005

MARCH_2 = 1_772_409_600  # 2026-03-02T00:00:00Z, in seconds since the epoch
AT = "2026-04-01T00:00:00Z"

AGREEMENT = """\
accord: 1
id: durable-desk
title: First response for Acme (durability tests)
type: sla
provider: northwind-it
customer: acme
services: [service-desk]
effective: {from: 2026-01-01}
timezone: UTC
objectives:
  first-response:
    metric: response_time
    target: 1h
"""


# --- data --------------------------------------------------------------------------------------


def write_tickets(path: Path, n: int, *, priority: str = "P1", late: int = 0,
                  seed: int = 7) -> None:
    """``n`` tickets of acme's service desk created over March 2026; the first ``late`` of them
    answered after 2 h, the others after 10 min (the agreement's target is 1 h)."""
    rng = np.random.default_rng(seed)
    created = MARCH_2 + rng.integers(0, 25 * 86_400, size=n, dtype=np.int64)
    answered = created + np.where(np.arange(n) < late, 7_200, 600)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    pl.DataFrame({
        "id": pl.int_range(n, eager=True).cast(pl.String).str.zfill(7),
        "created_at": pl.from_epoch(pl.Series(created), "s").dt.to_string(stamp),
        "first_response_at": pl.from_epoch(pl.Series(answered), "s").dt.to_string(stamp),
    }).select(
        pl.concat_str(pl.lit("T-"), pl.col("id")).alias("id"),
        pl.lit("acme").alias("customer"),
        pl.lit("service-desk").alias("service"),
        pl.lit(priority).alias("priority"),
        "created_at",
        "first_response_at",
    ).write_csv(path)


# --- running accord ----------------------------------------------------------------------------


def accord(*args: str) -> list[str]:
    return [sys.executable, "-m", "accord", *args]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ACCORD_DATABASE_URL"}
    env["POLARS_MAX_THREADS"] = "1"
    env["NUMBA_NUM_THREADS"] = "1"
    return env


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(accord(*args), capture_output=True, text=True, env=environment(),
                          timeout=COMMAND_TIMEOUT_S, check=False)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
    return done


def direct_engine(db_url: str) -> Engine:
    """An engine of our own on the test database (not Accord's: no schema check, no pragmas);
    on SQLite it keeps no connection open between queries."""
    url = get_settings(db_url).database_url
    if url.get_backend_name() == "sqlite":
        return create_engine(url, poolclass=NullPool)
    return create_engine(url)


def scalar(engine: Engine, query: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(query)).scalar_one())


def sqlite_file(db_url: str) -> Path | None:
    url = get_settings(db_url).database_url
    return Path(url.database or "") if url.get_backend_name() == "sqlite" else None


def empty_the_wal(watcher: Engine) -> None:
    """SQLite: checkpoint and truncate the write-ahead log, so that its growth shows the next
    writer at work (see :func:`writing_the_table`)."""
    if watcher.dialect.name == "sqlite":
        with watcher.connect() as connection:
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert busy == 0


def writing_the_table(watcher: Engine, database: Path | None) -> Callable[[], bool]:
    """A test of whether an ingest process is writing the ``tickets`` table itself (mid-file:
    its rows are staged and moving in, and nothing is committed yet).

    PostgreSQL: a backend is running a statement that writes the rows into the table itself:
    ``COPY "tickets" … FROM STDIN`` (new rows), ``UPDATE "tickets" …`` (changed rows) or an
    ``INSERT INTO "tickets" …`` (rows merged from a staging table). SQLite (WAL): the
    write-ahead log, emptied before the command started
    (:func:`empty_the_wal`), has grown past 1 MiB: the pages of the table are spilling into it
    before the commit.
    """
    if database is None:
        def postgres() -> bool:
            return scalar(watcher, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                          "current_database() AND pid <> pg_backend_pid() AND state = 'active' "
                          "AND query ~ '^(COPY \"tickets\" |UPDATE \"tickets\" |INSERT INTO "
                          "\"tickets\"|WITH .* INSERT INTO \"tickets\")'") > 0
        return postgres
    wal = database.with_name(database.name + "-wal")

    def sqlite() -> bool:
        try:
            return wal.stat().st_size > 1 << 20
        except FileNotFoundError:
            return False
    return sqlite


def kill_mid_file(command: list[str], caught: Callable[[], bool]) -> float:
    """Start ``command`` and SIGKILL it as soon as ``caught()``; the seconds it ran."""
    begin = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=environment())
    try:
        while not caught():
            if child.poll() is not None:
                out, err = child.communicate()
                pytest.fail("the ingest ended before it could be killed mid-file (exit "
                            f"{child.returncode}); make the file bigger\n{out.decode()}\n"
                            f"{err.decode()[-3000:]}")
            if time.monotonic() - begin > CATCH_TIMEOUT_S:
                pytest.fail(f"the ingest was not seen writing within {CATCH_TIMEOUT_S} s")
            time.sleep(POLL_S)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=COMMAND_TIMEOUT_S)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, "the ingest finished before the kill"
    return time.monotonic() - begin


# --- (a) SIGKILL mid-file ----------------------------------------------------------------------

N_KILLED = 200_000


def test_an_ingest_killed_mid_file_leaves_all_of_the_file_or_none(db_url: str,
                                                                    tmp_path: Path) -> None:
    """SIGKILL while the ``tickets`` table is being written, on a first load and on an updated
    export: the database holds the whole file or none of it, and the next run completes."""
    first, second = tmp_path / "tickets.csv", tmp_path / "tickets-updated.csv"
    write_tickets(first, N_KILLED, priority="P1")
    write_tickets(second, N_KILLED, priority="P2")  # every row changed
    run("init", "--db", db_url)
    watcher = direct_engine(db_url)
    caught = writing_the_table(watcher, sqlite_file(db_url))
    try:
        # A first load, killed while its rows move into the table: none of them, or all.
        empty_the_wal(watcher)
        ran = kill_mid_file(accord("ingest", str(first), "--db", db_url), caught)
        stored = scalar(watcher, "SELECT count(*) FROM tickets")
        print(f"first load killed after {ran:.2f} s: {stored} of {N_KILLED} rows stored")
        assert stored in (0, N_KILLED)
        again = run("ingest", str(first), "--db", db_url)
        assert f"{N_KILLED - stored} inserted, 0 updated, {stored} unchanged" in again.stdout
        assert scalar(watcher, "SELECT count(*) FROM tickets") == N_KILLED
        assert scalar(watcher, "SELECT count(*) FROM tickets WHERE priority = 'P1'") == N_KILLED

        # An updated export (every row changed), killed the same way: all old, or all new.
        empty_the_wal(watcher)
        ran = kill_mid_file(accord("ingest", str(second), "--db", db_url), caught)
        updated = scalar(watcher, "SELECT count(*) FROM tickets WHERE priority = 'P2'")
        print(f"update killed after {ran:.2f} s: {updated} of {N_KILLED} rows updated")
        assert updated in (0, N_KILLED)
        assert scalar(watcher, "SELECT count(*) FROM tickets") == N_KILLED
        again = run("ingest", str(second), "--db", db_url)
        assert (f"0 inserted, {N_KILLED - updated} updated, {updated} unchanged"
                in again.stdout)
        assert scalar(watcher, "SELECT count(*) FROM tickets WHERE priority = 'P2'") == N_KILLED
        assert scalar(watcher, "SELECT count(*) FROM tickets") == N_KILLED
    finally:
        watcher.dispose()


# --- (b) ingestion and evaluation side by side -------------------------------------------------

VERSIONS = 6
MIN_EVALUATIONS = 3
MAX_EVALUATIONS = 40
DEADLINE_S = 400.0


def version_shape(k: int) -> tuple[int, int]:
    """Version ``k`` of the export: (tickets, late tickets) — both differ from every other
    version's, so a mix of two versions cannot pass for a complete one."""
    return 20_000 + 4_000 * k, 1_000 * (k + 1)


def evaluate_command(db_url: str) -> list[str]:
    # CSV: one line per item, quick to print (the JSON document of tens of thousands of items
    # takes seconds to write) and enough to count the tickets counted and breached.
    return accord("evaluate", "--period", "2026-03", "--at", AT, "--format", "csv",
                  "--db", db_url)


def printed_shape(output: str) -> tuple[int, int]:
    """(counted, breached) of the printed items: every ticket here stops within March."""
    if not output.strip():
        return 0, 0
    items = pl.read_csv(io.StringIO(output), infer_schema=False)
    assert set(items["objective"]) <= {"first-response"}
    counted = items.filter(pl.col("period") == "2026-03")
    return counted.height, counted.filter(pl.col("met") == "false").height


def test_ingesting_while_evaluating_gives_no_errors_and_no_torn_results(db_url: str,
                                                                        tmp_path: Path) -> None:
    """Successive exports (more tickets, more of them late) load while ``accord evaluate``
    runs again and again from the same database: every command succeeds, and every printed
    and stored evaluation counts the tickets of exactly one complete version of the data."""
    (tmp_path / "durable-desk.yaml").write_text(AGREEMENT, encoding="utf-8")
    files = []
    for k in range(VERSIONS):
        tickets, late = version_shape(k)
        files.append(tmp_path / f"tickets-v{k}.csv")
        write_tickets(files[-1], tickets, late=late)
    complete = {(0, 0)} | {version_shape(k) for k in range(VERSIONS)}
    run("init", "--db", db_url)
    run("apply", str(tmp_path / "durable-desk.yaml"), "--db", db_url)

    failures: list[str] = []
    ingest_done = threading.Event()

    def ingest_all() -> None:
        try:
            for file in files:
                done = subprocess.run(accord("ingest", str(file), "--db", db_url),
                                      capture_output=True, text=True, env=environment(),
                                      timeout=COMMAND_TIMEOUT_S, check=False)
                if done.returncode != 0:
                    failures.append(f"ingest {file.name} exit {done.returncode}: "
                                    f"{done.stderr[-3000:]}")
        except Exception as error:  # a timeout: reported from the main thread
            failures.append(f"ingest: {error!r}")
        finally:
            ingest_done.set()

    ingester = threading.Thread(target=ingest_all)
    seen: list[tuple[int, int]] = []
    during = 0
    begin = time.monotonic()
    ingester.start()
    try:
        while len(seen) < MAX_EVALUATIONS and time.monotonic() - begin < DEADLINE_S:
            if ingest_done.is_set() and len(seen) >= MIN_EVALUATIONS:
                break
            overlapped = not ingest_done.is_set()
            done = subprocess.run(evaluate_command(db_url), capture_output=True, text=True,
                                  env=environment(), timeout=COMMAND_TIMEOUT_S, check=False)
            if done.returncode != 0:
                failures.append(f"evaluate exit {done.returncode}: {done.stderr[-3000:]}")
                break
            seen.append(printed_shape(done.stdout))
            during += overlapped
    finally:
        ingester.join(timeout=COMMAND_TIMEOUT_S * VERSIONS)
    print(f"{len(seen)} evaluations in {time.monotonic() - begin:.1f} s, {during} of them "
          f"while loading: {seen}")
    assert not failures, failures
    assert ingest_done.is_set()
    assert len(seen) >= MIN_EVALUATIONS
    assert during >= 1, "no evaluation ran while the data was loading"
    torn = [shape for shape in seen if shape not in complete]
    assert not torn, f"evaluations that match no complete version: {torn} (seen {seen})"

    # After the last load, the data is the last version, exactly.
    seen.append(printed_shape(run(*evaluate_command(db_url)[3:]).stdout))
    assert seen[-1] == version_shape(VERSIONS - 1)

    # Every evaluation was stored, whole, in order; only the last one is current.
    engine = connect(get_settings(db_url))
    try:
        history = result_history(engine, "durable-desk", "2026-03", history=True)
    finally:
        engine.dispose()
    stored = []
    for result in reversed(history):
        [objective] = result.document["objectives"]
        items = result.document["items"]
        assert len(items) == objective["counted"]
        assert sum(not item["met"] for item in items) == objective["breached"]
        stored.append((objective["counted"], objective["breached"]))
    assert stored == seen
    assert [r.current for r in history] == [True] + [False] * (len(history) - 1)
