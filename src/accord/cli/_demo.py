"""``accord demo``: a demo workspace on the embedded database, and the portal over it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from accord.cli._app import app, out, stderr
from accord.errors import Problem, UsageError

__all__ = ["demo"]

# The demo's clock stands still on the day SkyHost's data centre lost power (examples/README.md):
# the data covers January to April 2026, and this instant has open tickets close to their
# targets, a month well under way and earlier months closed.
DEMO_NOW = datetime(2026, 3, 17, 14, 0, tzinfo=UTC)
DEMO_PASSWORD = "accord-demo"
DEMO_USERS = (  # user, role, party, who it is
    ("admin", "admin", None, "the provider's administrator"),
    ("staff", "staff", None, "the provider's service manager: every customer at a glance"),
    ("acme", "customer", "acme", "Acme Corp, the customer of four agreements"),
    ("globex", "customer", "globex", "Globex, a customer of SkyHost's cloud"),
    ("ledgerworks", "supplier", "ledgerworks", "Ledgerworks, Northwind's supplier (a UC)"),
)


def _examples() -> Path:
    """The bundled examples: shipped in the package, or beside it in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_examples", here.parent.parent / "examples"):
        if (candidate / "agreements").is_dir() and (candidate / "data").is_dir():
            return candidate
    raise UsageError("the example agreements and data are missing", [Problem(
        "cannot find the bundled examples (agreements and data)",
        hint="reinstall Accord, or run from a source checkout")])


def build_demo(database: Path, *, now: datetime = DEMO_NOW) -> None:
    """A fresh demo workspace in ``database``: the examples applied and loaded, each month
    evaluated (the current one as of ``now``), and one user of each kind."""
    from accord.service.accounts import add_user
    from accord.service.evaluations import evaluate_period
    from accord.service.tenancy import Role
    from accord.store import connect, get_settings
    from accord.store.agreements import apply_agreements
    from accord.store.ingest import ingest_file, table_files
    from accord.store.ingestions import record_ingestion

    for stale in (database, database.with_name(database.name + "-wal"),
                  database.with_name(database.name + "-shm")):
        stale.unlink(missing_ok=True)
    examples = _examples()
    engine = connect(get_settings(f"sqlite:///{database}"))
    try:
        apply_agreements(engine, [examples / "agreements"], by="demo", now=now)
        for file, table in table_files([examples / "data"]):
            # The files run to April; an evaluation or a live timer sees only what had
            # happened by its instant (DESIGN.md §5), so the demo's March is as it was then.
            load = ingest_file(engine, file, table)
            record_ingestion(engine, load, source=file.name, by="demo", now=now)
        for month in ("2026-01", "2026-02"):
            end = datetime(2026, int(month[5:]) + 1, 1, tzinfo=UTC)
            evaluate_period(engine, period=month, at=end, by="demo", now=now)
        evaluate_period(engine, period="2026-03", at=now, by="demo", now=now)
        for username, role, party, _ in DEMO_USERS:
            add_user(engine, username=username, password=DEMO_PASSWORD, role=Role(role),
                     party=party, now=now)
    finally:
        engine.dispose()


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="The port to serve the portal on.")] = 8000,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    database: Annotated[Path, typer.Option(
        help="The demo's SQLite file (made afresh on every run).")] = Path("accord-demo.db"),
) -> None:
    """Create a demo workspace on the embedded database and serve the portal."""
    import uvicorn

    from accord.portal import create_site
    from accord.service import ServiceSettings
    from accord.store import connect, get_settings

    stderr().print(f"building the demo workspace in {database} …", markup=False)
    build_demo(database)
    settings = ServiceSettings(store=get_settings(f"sqlite:///{database}"))
    engine = connect(settings.store)
    banner = (f"Demo workspace — the clock stands still at {DEMO_NOW:%Y-%m-%d %H:%M} UTC, "
              "the day of SkyHost's power failure.")
    console = out()
    console.print(f"\nAccord demo: open http://{host}:{port}/ and log in as", markup=False)
    for username, role, _, who in DEMO_USERS:
        console.print(f"  {username:<12} {role:<9} {who}", markup=False)
    console.print(f"every password is {DEMO_PASSWORD!r}. The API docs are at "
                  f"http://{host}:{port}/docs. Ctrl+C stops.\n", markup=False)
    try:
        uvicorn.run(create_site(settings, engine, clock=lambda: DEMO_NOW, banner=banner),
                    host=host, port=port, log_level="warning")
    finally:
        engine.dispose()
