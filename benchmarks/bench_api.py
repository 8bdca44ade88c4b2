"""The REST API under load: `accord serve` on PostgreSQL with 1,000 agreements and 1 million
tickets, driven over loopback by httpx.AsyncClient.

Synthetic, seeded data: ``--agreements`` customer-based agreements (one per customer,
``cust-0000`` …, the objectives of ``bench_evaluate.AGREEMENT``: first response on an office
calendar, resolution on 24x7 pausing on ``pending_customer``) and ``--tickets`` tickets over the
31 days before now spread uniformly over those customers, 30 % with a status history
(``bench_evaluate.synthetic_tables``, shifted to end now; instants after now are dropped, so a
realistic share is still open now). Loaded with ``accord.store.ingest.ingest_file`` on CSV
written by Polars; the current month is evaluated once (``evaluate_period``). A staff user and
a customer user (``cust-0000``) get a token each.

Then ``accord serve --workers N`` (``--workers``, default one per CPU) runs as a subprocess
on 127.0.0.1 (a free port), and:

  (1) live     ``GET /api/live`` with the customer's token for ``--seconds``, by ``--clients``
               concurrent clients in two ways: each polling once every ``--interval`` seconds
               (a dashboard's refresh; a client whose answer comes late asks again at once),
               and each asking again as soon as it is answered (closed loop: the server's
               saturation, where latency is queueing behind the other clients). Requests/s,
               p50, p99. Baseline, same loads, same run: ``GET /healthz`` (the framework's
               floor). Target: p99 <= 50 ms with 50 concurrent clients.
  (2) results  ``GET /api/evaluations/{period}`` as staff and as the customer, one client,
               ``--requests`` times each (interleaved): p50, p99.
  (3) ingest   ``POST /api/ingest/tickets`` of 1,000-row batches (new ids), ``--batches``
               batches one after the other, then as many with ``--ingest-clients`` concurrent
               clients: rows/s. Baseline: ``ingest_file`` in this process on the same rows
               (other ids) written as one CSV file per batch. Target: >= 20,000 rows/s.
  (4) staff    in this process, before the server starts (``--staff-only``: alone): after
               each of ``--loads`` loads (``ingest_file`` of ``--load-rows`` tickets: half new,
               half stored ones resolved now), live status as staff (every customer's open
               timers, ``live_frame``, what ``GET /api/live`` answers from) and as the
               customer, and the worker's look at stopped breaches (``StoppedBreaches`` as the
               system, for a subscription made 31 days ago, with the ``BreachMemo`` the worker
               keeps): median and max. Baseline, same run: the first look of each (computed
               afresh). Target: < 1 s.

PostgreSQL: a throwaway server as ``bench_store.py`` starts it (initdb/pg_ctl, fsync off). No
CPU pinning: the client, the server and PostgreSQL share the machine's cores.

Run from the repository root:  .venv/bin/python benchmarks/bench_api.py [--tickets 1000000]
"""

# ruff: noqa: E402  (the thread settings must precede the imports of Polars, numba and NumPy)
from __future__ import annotations

import os

for _var in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS",
             "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import asyncio
import atexit
import faulthandler
import json
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from accord.engine import TableName
from accord.service.accounts import add_user, create_token
from accord.service.evaluations import evaluate_period
from accord.service.tenancy import Role, Scope
from accord.store import connect, get_settings
from accord.store.agreements import apply_agreements
from accord.store.ingest import ingest_file
from bench_evaluate import AGREEMENT, accord_command, synthetic_tables, write_csv
from bench_store import POSTGRES_BIN, _free_port, start_postgres

TARGET_LIVE_P99_MS = 50.0
TARGET_STAFF_S = 1.0
TARGET_INGEST_ROWS_S = 20_000
BATCH = 1_000
PASSWORD = "correct horse battery staple"
MARCH = datetime(2026, 3, 1, tzinfo=ZoneInfo("Europe/Berlin"))
APRIL = datetime(2026, 4, 1, tzinfo=ZoneInfo("Europe/Berlin"))


def customer_id(i: int) -> str:
    return f"cust-{i:04d}"


def agreement_yaml(i: int) -> str:
    """bench_evaluate's agreement, made customer-based for one customer."""
    return (AGREEMENT.replace("id: bench-service-desk", f"id: sd-{customer_id(i)}")
            .replace('customer: "*"', f"customer: {customer_id(i)}")
            .replace("Service desk for every customer", f"Service desk for {customer_id(i)}"))


def shifted_tables(n: int, customers: int, seed: int, now: datetime
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """bench_evaluate's tickets (March 2026) moved to end at ``now``, over ``customers``
    customers; instants after now dropped (null, or the status row removed)."""
    tables = synthetic_tables(n, seed)
    shift = now.replace(microsecond=0) - APRIL.astimezone(UTC)
    cut = pl.lit(now, dtype=pl.Datetime("us", "UTC"))
    rng = np.random.default_rng(seed + 1)
    names = np.array([customer_id(i) for i in range(customers)])
    instants = ("created_at", "first_response_at", "resolved_at")
    tickets = tables.tickets.with_columns(
        pl.Series("customer", names[rng.integers(0, customers, size=n)]),
        *(pl.col(c) + shift for c in instants)).with_columns(
        pl.when(pl.col(c) <= cut).then(pl.col(c)).alias(c) for c in instants[1:])
    status = (tables.ticket_status.with_columns(pl.col("at") + shift)
              .filter(pl.col("at") <= cut))
    return tickets, status


# --- load -------------------------------------------------------------------------------------


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: dict[str, int] = field(default_factory=dict)
    unfinished: int = 0
    seconds: float = 0.0

    def pct(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) * 1000 if self.latencies else float("nan")

    @property
    def rate(self) -> float:
        done = len(self.latencies) - self.unfinished
        return done / self.seconds if self.seconds else float("nan")


async def hammer(client: httpx.AsyncClient, path: str, headers: dict[str, str], clients: int,
                 seconds: float, grace: float = 30.0) -> Load:
    """``clients`` loops each sending GET ``path`` until ``seconds`` have passed. A request
    still unanswered ``grace`` seconds after that is abandoned and counted as unfinished, its
    time so far kept as its latency (so percentiles are then lower bounds)."""
    load = Load()
    deadline = time.perf_counter() + seconds

    async def one() -> None:
        while time.perf_counter() < deadline:
            begin = time.perf_counter()
            try:
                response = await asyncio.wait_for(
                    client.get(path, headers=headers), deadline + grace - begin)
                ok = response.status_code == 200
                key = str(response.status_code)
            except TimeoutError:
                load.unfinished += 1
                load.latencies.append(time.perf_counter() - begin)
                return
            except httpx.HTTPError as error:
                ok, key = False, type(error).__name__
            if ok:
                load.latencies.append(time.perf_counter() - begin)
            else:
                load.errors[key] = load.errors.get(key, 0) + 1

    begin = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    load.seconds = time.perf_counter() - begin
    return load


async def poll(client: httpx.AsyncClient, path: str, headers: dict[str, str], clients: int,
               seconds: float, interval: float) -> Load:
    """``clients`` loops each sending GET ``path`` once every ``interval`` seconds (their
    starts spread over the first interval) for ``seconds``; a request due while the previous
    one is unanswered goes as soon as that one is answered."""
    load = Load()
    begin = time.perf_counter()
    deadline = begin + seconds

    async def one(k: int) -> None:
        due = begin + interval * k / clients
        while due < deadline:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            try:
                response = await client.get(path, headers=headers)
            except httpx.HTTPError as error:
                load.errors[type(error).__name__] = load.errors.get(type(error).__name__, 0) + 1
            else:
                if response.status_code == 200:
                    load.latencies.append(time.perf_counter() - sent)
                else:
                    key = str(response.status_code)
                    load.errors[key] = load.errors.get(key, 0) + 1
            due += interval

    await asyncio.gather(*(one(k) for k in range(clients)))
    load.seconds = time.perf_counter() - begin
    return load


def batch_rows(tickets: pl.DataFrame) -> list[dict[str, Any]]:
    frame = tickets.with_columns(pl.col(c).dt.to_string("%Y-%m-%dT%H:%M:%SZ")
                                 for c, t in tickets.schema.items()
                                 if isinstance(t, pl.Datetime))
    return [{k: v for k, v in row.items() if v is not None}
            for row in frame.iter_rows(named=True)]


async def post_batches(client: httpx.AsyncClient, batches: list[list[dict[str, Any]]],
                       headers: dict[str, str], clients: int) -> tuple[float, list[float], int]:
    """(seconds, per-batch latencies, rows inserted) for POSTing every batch with ``clients``
    concurrent senders."""
    queue = list(reversed(batches))
    latencies: list[float] = []
    inserted = 0

    async def sender() -> None:
        nonlocal inserted
        while queue:
            rows = queue.pop()
            begin = time.perf_counter()
            response = await client.post("/api/ingest/tickets", json={"rows": rows},
                                         headers=headers)
            latencies.append(time.perf_counter() - begin)
            if response.status_code != 200:
                raise SystemExit(f"ingest answered {response.status_code}: "
                                 f"{response.text[:2000]}")
            inserted += int(response.json()["inserted"])

    begin = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(clients)))
    return time.perf_counter() - begin, latencies, inserted


def staff_after_loads(engine: Any, tickets: pl.DataFrame, args: argparse.Namespace,
                      now: datetime, customer: str, scratch: Path) -> dict[str, Any]:
    """(4): the first look of each (computed afresh), then the looks after each load."""
    from datetime import timedelta

    from accord.service.live import live_frame
    from accord.service.notify.stopped import BreachMemo, StoppedBreaches
    from accord.service.tenancy import Principal

    system = Principal.system()
    staff = Principal(None, "staff", Role.STAFF, None, frozenset({Scope.READ}))
    mine = Principal(None, "customer", Role.CUSTOMER, customer, frozenset({Scope.READ}))
    made = now - timedelta(days=31)
    memo = BreachMemo()
    out: dict[str, Any] = {"staff": [], "customer": [], "stopped": []}

    def timed(what: Any) -> tuple[float, Any]:
        begin = time.perf_counter()
        found = what()
        return time.perf_counter() - begin, found

    def look() -> int:
        return StoppedBreaches(engine, datetime.now(UTC), system, made, memo).since(made).height

    out["first_staff"], _ = timed(lambda: live_frame(engine, datetime.now(UTC), staff))
    print(f"  (4) staff live status computed afresh in {out['first_staff']:.1f} s", flush=True)
    out["first_customer"], _ = timed(lambda: live_frame(engine, datetime.now(UTC), mine))
    out["first_stopped"], _ = timed(look)
    print(f"  (4) first look at stopped breaches: {out['first_stopped']:.1f} s", flush=True)
    rng = np.random.default_rng(args.seed + 11)
    stored = tickets.filter(pl.col("resolved_at").is_null())
    for k in range(args.loads):
        half = args.load_rows // 2
        new, _ = shifted_tables(args.load_rows - half, args.agreements, args.seed + 100 + k, now)
        new = new.with_columns(pl.format("L{}-{}", pl.lit(k), pl.col("id")).alias("id"))
        changed = stored.sample(half, seed=int(rng.integers(1 << 31))).with_columns(
            pl.lit(datetime.now(UTC).replace(microsecond=0), dtype=pl.Datetime("us", "UTC"))
            .alias("resolved_at"))
        path = scratch / f"load-{k}.csv"
        write_csv(pl.concat([new, changed.select(new.columns)]), path)
        ingest_file(engine, path, TableName.TICKETS)
        seconds, frame = timed(lambda: live_frame(engine, datetime.now(UTC), staff))
        out["staff"].append(seconds)
        out["staff_timers"] = frame.height
        out["customer"].append(timed(lambda: live_frame(engine, datetime.now(UTC), mine))[0])
        seconds, out["breaches"] = timed(look)
        out["stopped"].append(seconds)
    return out


# --- main -------------------------------------------------------------------------------------


def start_server(url: str, scratch: Path, workers: int = 1
                 ) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    log = (scratch / "serve.log").open("wb")
    server = subprocess.Popen(
        [*accord_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", url,
         "--workers", str(workers)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ACCORD_DATABASE_URL": url})

    def stop() -> None:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()

    atexit.register(stop)
    base = f"http://127.0.0.1:{port}"
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise SystemExit("accord serve exited:\n"
                             + (scratch / "serve.log").read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("accord serve did not answer /healthz within 60 s")


def staff_table(found: dict[str, Any], args: argparse.Namespace, customer: str) -> bool:
    """Print (4); whether its targets are met."""
    print(f"\n(4) after each of {args.loads} loads of {args.load_rows} tickets (half new, half "
          f"resolved now): seconds")
    print(f"{'what':<58} {'first':>8} {'median':>8} {'max':>8}  target")
    staff_ok = True
    for label, name, target in (
            ("live status as staff (every customer)", "staff", True),
            (f"live status as the customer ({customer})", "customer", False),
            ("the worker's look at stopped breaches (system)", "stopped", True)):
        runs = found[name]
        median = float(np.median(runs))
        verdict = ""
        if target:
            ok = median < TARGET_STAFF_S
            staff_ok &= ok
            verdict = f"< {TARGET_STAFF_S:g} s: {'met' if ok else 'NOT met'}"
        print(f"{label:<58} {found['first_' + name]:>8.2f} {median:>8.3f} {max(runs):>8.3f}  "
              f"{verdict}")
    print(f"  stopped breaches found for the system after the last load: {found['breaches']:,}; "
          f"staff sees {found['staff_timers']:,} open timers")
    return staff_ok


def _load_average() -> str:
    """The machine's load (other work shares the cores): 1, 5 and 15 minute averages."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="accord serve under load (PostgreSQL).")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agreements", type=int, default=1_000,
                        help="customer-based agreements, one per customer (default 1,000)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients for (1)")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per load in (1)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="accord serve --workers (default: one per CPU)")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="seconds between a polling client's requests in (1)")
    parser.add_argument("--requests", type=int, default=30, help="requests per caller in (2)")
    parser.add_argument("--batches", type=int, default=30,
                        help="1,000-row batches per ingestion mode in (3)")
    parser.add_argument("--ingest-clients", type=int, default=4)
    parser.add_argument("--loads", type=int, default=10,
                        help="loads after which staff live status and the worker's look are "
                             "timed in (4)")
    parser.add_argument("--load-rows", type=int, default=100, help="rows per load in (4)")
    parser.add_argument("--staff-only", action="store_true", help="only (4)")
    parser.add_argument("--evaluate", type=int, default=20,
                        help="evaluate the month for the first N agreements only (default 20; "
                             "storing the evidence grows with agreements x tickets)")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--postgres-bin", type=Path, default=POSTGRES_BIN)
    parser.add_argument("--postgres-url", default=None,
                        help="an empty database to use instead of a throwaway server")
    args = parser.parse_args(argv)
    if args.tickets < 1 or args.agreements < 1:
        parser.error("need --tickets >= 1 and --agreements >= 1")

    faulthandler.register(signal.SIGUSR1)  # kill -USR1 PID: where is it now?
    wall = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="accord-bench-api-"))
    atexit.register(shutil.rmtree, scratch, True)
    url = args.postgres_url or start_postgres(args.postgres_bin)
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    now = datetime.now(UTC)
    period = now.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m")
    print(f"Python {platform.python_version()}, Polars {pl.__version__}, httpx "
          f"{httpx.__version__}; {os.cpu_count()} CPUs shared by client, server and PostgreSQL "
          f"(no pinning)")
    print(f"{args.agreements:,} agreements, {args.tickets:,} tickets, now {now:%Y-%m-%d %H:%M}Z,"
          f" period {period}; {_load_average()}\n")

    # Data.
    begin = time.perf_counter()
    tickets, status = shifted_tables(args.tickets, args.agreements, args.seed, now)
    data = scratch / "data"
    (data / "agreements").mkdir(parents=True)
    write_csv(tickets, data / "tickets.csv")
    write_csv(status, data / "ticket_status.csv")
    for i in range(args.agreements):
        (data / "agreements" / f"{customer_id(i)}.yaml").write_text(agreement_yaml(i), "utf-8")
    print(f"generated {tickets.height:,} tickets, {status.height:,} status rows, "
          f"{args.agreements:,} agreement files in {time.perf_counter() - begin:.1f} s")
    engine = connect(get_settings(url))
    steps: list[tuple[str, float]] = []
    for label, action in (
            ("apply agreements", lambda: apply_agreements(
                engine, [data / "agreements"], by="bench", now=now)),
            ("ingest tickets", lambda: ingest_file(engine, data / "tickets.csv",
                                                   TableName.TICKETS)),
            ("ingest status", lambda: ingest_file(engine, data / "ticket_status.csv",
                                                  TableName.TICKET_STATUS)),
            (f"evaluate {period} ({min(args.evaluate, args.agreements)} agreements)",
             lambda: evaluate_period(
                engine, period=period, at=now, by="bench", now=now,
                agreement_ids=[f"sd-{customer_id(i)}"
                               for i in range(min(args.evaluate, args.agreements))]))):
        begin = time.perf_counter()
        action()
        steps.append((label, time.perf_counter() - begin))
        print(f"  {label}: {steps[-1][1]:.1f} s", flush=True)
    customer = customer_id(0)
    add_user(engine, username="staff", password=PASSWORD, role=Role.STAFF, party=None, now=now)
    add_user(engine, username="customer", password=PASSWORD, role=Role.CUSTOMER,
             party=customer, now=now)
    staff_token = create_token(engine, username="staff", name="bench",
                               scopes=[Scope.READ, Scope.INGEST], now=now).secret
    customer_token = create_token(engine, username="customer", name="bench",
                                  scopes=[Scope.READ], now=now).secret
    staff = {"Authorization": f"Bearer {staff_token}"}
    mine = {"Authorization": f"Bearer {customer_token}"}

    staff_found = staff_after_loads(engine, tickets, args, now, customer, scratch)
    if args.staff_only:
        staff_ok = staff_table(staff_found, args, customer)
        engine.dispose()
        return 0 if staff_ok else 1

    # Ingestion batches: new ids, the API's and the baseline's apart.
    fresh, _ = shifted_tables(2 * args.batches * BATCH, args.agreements, args.seed + 7, now)
    fresh = fresh.with_columns(pl.format("N-{}", pl.col("id")).alias("id"))
    baseline_files = []
    for b in range(args.batches):
        path = data / f"batch-{b:04d}.csv"
        write_csv(fresh.slice(b * BATCH, BATCH).with_columns(
            pl.format("B-{}", pl.col("id")).alias("id")), path)
        baseline_files.append(path)
    api_batches = [batch_rows(fresh.slice(b * BATCH, BATCH)) for b in range(2 * args.batches)]

    # The baseline of (3), before the server starts: ingest_file in this process on the
    # same rows (other ids), batch by batch.
    begin = time.perf_counter()
    inserted = sum(ingest_file(engine, path, TableName.TICKETS).inserted
                   for path in baseline_files)
    direct_s = time.perf_counter() - begin
    assert inserted == args.batches * BATCH, inserted

    server, base = start_server(url, scratch, args.workers)
    print(f"accord serve --workers {args.workers} at {base} (pid {server.pid}), ready "
          f"{time.perf_counter() - wall:.0f} s into the run\n", flush=True)

    async def drive() -> dict[str, Any]:
        out: dict[str, Any] = {}
        limits = httpx.Limits(max_connections=max(args.clients, args.ingest_clients) + 4,
                              max_keepalive_connections=max(args.clients, 8) + 4)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
            first = await client.get("/api/live", headers=mine)
            first.raise_for_status()
            out["live_timers"] = len(first.json()["timers"])
            await hammer(client, "/healthz", {}, args.clients, 2)  # warm-up
            out["healthz_poll"] = await poll(client, "/healthz", {}, args.clients, args.seconds,
                                             args.interval)
            out["live_poll"] = await poll(client, "/api/live", mine, args.clients, args.seconds,
                                          args.interval)
            print(f"  (1) polling done: {len(out['live_poll'].latencies):,} requests",
                  flush=True)
            out["healthz"] = await hammer(client, "/healthz", {}, args.clients, args.seconds)
            print(f"  (1) healthz done: {len(out['healthz'].latencies):,} requests", flush=True)
            out["live1"] = await hammer(client, "/api/live", mine, 1, min(args.seconds, 10))
            runs: dict[str, list[float]] = {"staff": [], "customer": []}
            sizes: dict[str, int] = {}
            for _ in range(args.requests):
                for who, headers in (("staff", staff), ("customer", mine)):
                    begin = time.perf_counter()
                    response = await client.get(f"/api/evaluations/{period}", headers=headers)
                    runs[who].append(time.perf_counter() - begin)
                    response.raise_for_status()
                    sizes[who] = len(response.json())
            out["results"], out["result_sizes"] = runs, sizes
            print("  (2) evaluations done", flush=True)
            half = args.batches
            out["ingest_seq"] = await post_batches(client, api_batches[:half], staff, 1)
            out["ingest_par"] = await post_batches(client, api_batches[half:], staff,
                                                   args.ingest_clients)
            print("  (3) ingestion done", flush=True)
            # Last: abandoned requests may keep the server busy after it.
            out["live"] = await hammer(client, "/api/live", mine, args.clients, args.seconds)
            print(f"  (1) live done: {len(out['live'].latencies):,} requests", flush=True)
        return out

    out = asyncio.run(drive())

    # --- the table ---
    print(f"\n(1) {args.clients} concurrent clients, {args.seconds:g} s each; "
          f"customer {customer} sees {out['live_timers']} open timers")
    header = f"{'request':<46} {'req/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'x floor p99':>12}  target"
    print(header)
    print("-" * len(header))
    live_ok = out["live_poll"].pct(99) <= TARGET_LIVE_P99_MS
    every = f"polling every {args.interval:g} s"
    for label, load, base_load, target in (
            (f"GET /healthz, {every} (floor)", out["healthz_poll"], out["healthz_poll"], ""),
            (f"GET /api/live (customer), {every}", out["live_poll"], out["healthz_poll"],
             f"p99 <= {TARGET_LIVE_P99_MS:g} ms: {'met' if live_ok else 'NOT met'}"),
            ("GET /healthz, closed loop (floor)", out["healthz"], out["healthz"], ""),
            ("GET /api/live (customer), closed loop", out["live"], out["healthz"],
             "saturation (latency = queueing)"),
            ("GET /api/live (customer), 1 client", out["live1"], out["healthz"], "")):
        errors = f"  errors {load.errors}" if load.errors else ""
        if load.unfinished:
            errors += (f"  {load.unfinished} of {len(load.latencies)} unanswered after "
                       f"the grace time (percentiles are lower bounds)")
        print(f"{label:<46} {load.rate:>8.2f} {load.pct(50):>9.1f} {load.pct(99):>9.1f} "
              f"{load.pct(99) / base_load.pct(99):>12.1f}  {target}{errors}")
    print(f"\n(2) GET /api/evaluations/{period}, one client, {args.requests} requests each")
    for who, runs in out["results"].items():
        ms = np.array(runs) * 1000
        print(f"{'as ' + who:<40} {len(ms) / ms.sum() * 1000:>8.1f} "
              f"{np.percentile(ms, 50):>9.1f} {np.percentile(ms, 99):>9.1f}  "
              f"{out['result_sizes'][who]} results")
    print(f"\n(3) ingestion of {BATCH:,}-row ticket batches, {args.batches} batches per row")
    print(f"{'how':<40} {'rows/s':>8} {'p50 ms':>9} {'p99 ms':>9} {'x direct':>12}  target")
    direct_rate = inserted / direct_s
    print(f"{'ingest_file in process (baseline)':<40} {direct_rate:>8,.0f} {'':>9} {'':>9} "
          f"{1.0:>12.2f}")
    ingest_ok = True
    for label, (seconds, lat, rows) in (
            ("POST /api/ingest/tickets, 1 client", out["ingest_seq"]),
            (f"POST /api/ingest/tickets, {args.ingest_clients} clients", out["ingest_par"])):
        rate = rows / seconds
        ok = rate >= TARGET_INGEST_ROWS_S
        ingest_ok &= ok
        ms = np.array(lat) * 1000
        print(f"{label:<40} {rate:>8,.0f} {np.percentile(ms, 50):>9.1f} "
              f"{np.percentile(ms, 99):>9.1f} {rate / direct_rate:>12.2f}  "
              f">= {TARGET_INGEST_ROWS_S:,}/s: {'met' if ok else 'NOT met'}")
    staff_ok = staff_table(staff_found, args, customer)
    print("\nset-up: " + ", ".join(f"{label} {s:.1f} s" for label, s in steps)
          + f"; whole run {time.perf_counter() - wall:.0f} s; {_load_average()}")
    print(json.dumps({"live_poll_p99_ms": out["live_poll"].pct(99),
                      "healthz_poll_p99_ms": out["healthz_poll"].pct(99),
                      "live_closed_loop_p99_ms": out["live"].pct(99),
                      "healthz_closed_loop_p99_ms": out["healthz"].pct(99)}))
    engine.dispose()
    return 0 if live_ok and ingest_ok and staff_ok else 1


if __name__ == "__main__":
    sys.exit(main())
