"""A demo workspace: a folder holding the demo's agreements, its generated data and the
embedded database they are loaded into, evaluated, with one user of each kind.

    accord-demo/
      agreements/*.yaml   the demo's agreements, their terms moved to the demo's year
      data/*.csv          twelve months of tickets, incidents, deliveries and measurements
      accord.db           the SQLite database the portal serves
      demo.json           written last: the build is complete (what it was built as of)
      worker.log          the worker's passes while the demo runs

Everything goes through the paths users run: the agreements through ``apply_agreements``,
each file through ``ingest_file`` and the ingestion log, each month through
``evaluate_period``, the users through ``add_user``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from accord.demo.agreements import agreement_files, write_agreements
from accord.demo.generate import SEED, TABLES, generate
from accord.demo.story import Story
from accord.errors import DataError, Problem
from accord.model.parties import PARTIES_FILE
from accord.service.tenancy import Role

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "Build", "DemoUser", "Workspace", "build_workspace"]

DEMO_PASSWORD = "accord-demo"
BY = "accord demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    party: str | None
    who: str


DEMO_USERS = (
    DemoUser("admin", Role.ADMIN, None, "the administrator"),
    DemoUser("staff", Role.STAFF, None, "the providers' service manager: every customer "
             "at a glance"),
    DemoUser("acme", Role.CUSTOMER, "acme", "Acme Corp: billing system (Northwind IT), "
             "drinks (Brewline), cleaning (Sparkle)"),
    DemoUser("globex", Role.CUSTOMER, "globex", "Globex: service desk (Northwind IT), "
             "cloud (SkyHost), drinks (Brewline)"),
    DemoUser("initech", Role.CUSTOMER, "initech", "Initech: service desk (Northwind IT), "
             "cloud (SkyHost), cleaning (Sparkle)"),
    DemoUser("ledgerworks", Role.SUPPLIER, "ledgerworks", "Ledgerworks: Northwind's "
             "supplier (the underpinning contract)"),
)


@dataclass(frozen=True)
class Build:
    """What a complete workspace was built as of (its ``demo.json``)."""

    now: datetime
    seed: int
    rows: dict[str, int]
    periods: list[str]
    seconds: float


@dataclass(frozen=True)
class Workspace:
    directory: Path

    @property
    def database(self) -> Path:
        return self.directory / "accord.db"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def agreements(self) -> Path:
        return self.directory / "agreements"

    @property
    def marker(self) -> Path:
        return self.directory / "demo.json"

    @property
    def log(self) -> Path:
        return self.directory / "worker.log"

    def built(self) -> Build | None:
        """The complete build in this workspace, or None (none yet, or one cut short)."""
        if not (self.marker.is_file() and self.database.is_file()):
            return None
        try:
            found = json.loads(self.marker.read_text(encoding="utf-8"))
            return Build(datetime.fromisoformat(found["now"]), int(found["seed"]),
                         dict(found["rows"]), list(found["periods"]), float(found["seconds"]))
        except (ValueError, KeyError, TypeError):
            return None

    def clear(self) -> None:
        """Remove what a build writes (and nothing else a user may keep in the folder)."""
        owned = [self.marker, self.log, self.database,
                 *(self.database.with_name(self.database.name + s) for s in ("-wal", "-shm",
                                                                              "-journal")),
                 *(self.data / f"{name}.csv" for name in TABLES),
                 *(self.agreements / f.name for f in agreement_files()),
                 self.agreements / PARTIES_FILE]
        for path in owned:
            path.unlink(missing_ok=True)


def _ignore(_: str) -> None:
    return None


def build_workspace(workspace: Workspace, *, now: datetime, seed: int = SEED,
                    progress: Callable[[str], object] = _ignore) -> Build:
    """Build the demo in ``workspace`` afresh, as of ``now``: agreements, twelve months of
    data, each closed month evaluated as of its end and the current one as of ``now``, and
    the demo users (password :data:`DEMO_PASSWORD`)."""
    from accord.service.accounts import add_user
    from accord.service.evaluations import evaluate_period
    from accord.store import connect, get_settings
    from accord.store.agreements import apply_agreements
    from accord.store.ingest import ingest_file, table_files
    from accord.store.ingestions import record_ingestion

    started = time.perf_counter()
    story = Story(now)
    workspace.clear()
    workspace.directory.mkdir(parents=True, exist_ok=True)
    files = write_agreements(workspace.agreements, story)
    progress(f"generating twelve months of data ({story.labels[0]} to {story.labels[-1]}, "
             f"up to {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC)")
    rows = generate(workspace.data, now=now, seed=seed)
    engine = connect(get_settings(workspace.url))
    try:
        progress(f"applying {len(files)} agreements")
        apply_agreements(engine, [workspace.agreements], by=BY, now=now)
        for file, table in table_files([workspace.data]):
            load = ingest_file(engine, file, table)
            record_ingestion(engine, load, source=f"data/{file.name}", by=BY, now=now)
            if load.refused:
                raise DataError(f"the demo's {file.name} was refused", [
                    *load.problems, Problem("the demo's generator wrote a bad row",
                                            hint="report it: this is a bug")])
            progress(f"ingested {file.name}: {load.inserted:,} rows")
        for index, label in enumerate(story.labels):
            evaluate_period(engine, period=label, at=story.month_end(index), by=BY, now=now)
        progress(f"evaluated {story.labels[0]} … {story.labels[-2]} as of their ends and "
                 f"{story.labels[-1]} as of now")
        for user in DEMO_USERS:
            add_user(engine, username=user.username, password=DEMO_PASSWORD, role=user.role,
                     party=user.party, now=now)
    finally:
        engine.dispose()
    build = Build(now.astimezone(UTC), seed, rows, list(story.labels),
                  round(time.perf_counter() - started, 1))
    workspace.marker.write_text(json.dumps({
        "now": build.now.isoformat(), "seed": seed, "rows": rows, "periods": build.periods,
        "seconds": build.seconds}, indent=2) + "\n", encoding="utf-8")
    return build
