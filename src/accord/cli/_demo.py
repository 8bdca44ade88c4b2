"""``accord demo``: a demo workspace on the embedded database (accord.demo), and the portal
and the worker over it, on the real clock."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from accord.cli._app import app, out, stderr
from accord.errors import Problem, UsageError

__all__ = ["demo"]

# A pass every 15 s, so that the live incidents' warnings (accord.demo.watch) arrive within
# the first minute.
_WORKER_INTERVAL = 15.0
_WORKER_POLL = 2.0


@app.command()
def demo(
    workspace: Annotated[Path, typer.Option(
        help="The demo's folder: its agreements, data and database (reused when built).")
    ] = Path("accord-demo"),
    fresh: Annotated[bool, typer.Option(
        help="Build the workspace afresh, with data up to now, even if it exists.")] = False,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to serve the portal on.")] = 8000,
    serve: Annotated[bool, typer.Option(
        help="Serve the portal and run the worker after building (--no-serve: only build).")
    ] = True,
    seed: Annotated[int | None, typer.Option(
        help="The generator's seed (same seed and instant, same data).", hidden=True)] = None,
) -> None:
    """Build a demo workspace (twelve months of generated data for four providers and their
    customers, evaluated) and serve the portal and the worker over it."""
    from accord.demo import DEMO_PASSWORD, DEMO_USERS, SEED, Workspace, build_workspace

    place = Workspace(workspace)
    if place.directory.exists() and not place.directory.is_dir():
        raise UsageError(f"--workspace {workspace} is not a folder", [Problem(
            f"{workspace} exists and is a file", hint="name a folder (it is made if missing)")])
    err = stderr()
    built = None if fresh else place.built()
    if built is not None:
        err.print(f"reusing the demo workspace in {place.directory} (data up to "
                  f"{built.now:%Y-%m-%d %H:%M} UTC); --fresh rebuilds it with data up to now",
                  markup=False)
    else:
        err.print(f"building the demo workspace in {place.directory} …", markup=False)
        built = build_workspace(place, now=datetime.now(UTC),
                                seed=SEED if seed is None else seed,
                                progress=lambda line: err.print(f"  {line}", markup=False))
        err.print(f"built in {built.seconds:.0f} s", markup=False)
    url = f"http://{host}:{port}/"
    console = out()
    console.print(f"\nAccord demo: {url if serve else place.database} — log in as",
                  markup=False)
    for user in DEMO_USERS:
        console.print(f"  {user.username:<12} {user.role.value:<9} {user.who}", markup=False)
    console.print(f"every password is {DEMO_PASSWORD!r}.", markup=False)
    if not serve:
        console.print(f"Serve it with `accord demo --workspace {place.directory}`, or "
                      f"`accord serve --db {place.url}`.", markup=False)
        return
    console.print(f"The API docs are at {url}docs; the worker's passes go to {place.log}. "
                  "Ctrl+C stops.", markup=False)
    console.print("Watch warnings arrive: log in as admin and open Admin → Notifications "
                  f"({url}admin/notifications); the first come within a minute.\n",
                  markup=False)
    _serve(place, host, port, built.now, built.periods)


def _serve(place: object, host: str, port: int, data_until: datetime,
           periods: list[str]) -> None:
    """The portal under uvicorn, and the worker in a thread beside it; Ctrl+C or SIGTERM
    stop both (uvicorn finishes its requests, the worker the pass in hand). The monthly
    reports of the last closed month and of the current one are printed and kept meanwhile,
    so that their first download is quick."""
    import uvicorn

    from accord.demo import Workspace
    from accord.demo.watch import RECEIVER_PATH, Receiver, watch_warnings
    from accord.portal import create_site
    from accord.service import ServiceSettings
    from accord.service.notify import Worker, stop_on_signals
    from accord.service.reports import latest_evaluations, publish_in_background
    from accord.store import connect, get_settings

    assert isinstance(place, Workspace)
    settings = ServiceSettings(store=get_settings(place.url))
    engine = connect(settings.store)
    log = logging.getLogger("accord.worker")
    handler = logging.FileHandler(place.log, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    stop = threading.Event()
    worker = Worker(engine, interval=_WORKER_INTERVAL, poll=_WORKER_POLL, stop=stop,
                    report=lambda done: log.info("pass %s", done.summary()),
                    publish_reports=True)
    receiver = Receiver()
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    watched = watch_warnings(engine, receiver, url=f"http://{_in_url(local)}:{port}"
                             f"{RECEIVER_PATH}", now=datetime.now(UTC),
                             folder=place.directory / "live")
    log.info("demo: subscription %s sends the warnings of live incidents %s to the demo's "
             "receiver", watched.subscription, ", ".join(watched.tickets))
    # The worker starts once the server listens, so that its first deliveries to the demo's
    # receiver find it (rather than wait for a retry).
    thread = threading.Thread(target=_when_listening, args=(local, port, stop, worker.run),
                              name="accord-worker", daemon=True)
    log.info("worker started: a pass every %gs and after each ingestion", _WORKER_INTERVAL)
    thread.start()
    publish_in_background(engine, latest_evaluations(engine, periods[-2:]),
                          now=datetime.now(UTC))
    banner = f"Demo workspace — generated data up to {data_until:%Y-%m-%d %H:%M} UTC."
    site = create_site(settings, engine, banner=banner)
    site.include_router(receiver.router())
    try:
        # uvicorn catches SIGINT and SIGTERM while it runs and raises them again when it has
        # shut down; these handlers then turn them into the worker's stop.
        with stop_on_signals(stop):
            uvicorn.run(site, host=host, port=port, log_level="warning")
    finally:
        stop.set()
        thread.join(timeout=60)
        log.info("worker stopped")
        log.removeHandler(handler)
        handler.close()
        engine.dispose()


def _in_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _when_listening(host: str, port: int, stop: threading.Event,
                    then: Callable[[], None]) -> None:
    """Run ``then`` once something accepts connections on ``host:port`` (or after a minute,
    or never if ``stop`` is set first)."""
    import socket
    import time

    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            stop.wait(0.2)
    if not stop.is_set():
        then()
