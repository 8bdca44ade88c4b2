"""Connecting to the database and keeping its schema at this Accord's revision.

:func:`connect` builds an engine for the settings (SQLite: WAL journal, foreign keys on, a busy
timeout, and real transactions), checks the schema revision against the migrations shipped in
:mod:`accord.store.migrations`, and upgrades an older schema, saying so; a database of an
unknown or newer revision, or one that is not Accord's, is refused and never used.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from accord.errors import Problem
from accord.store._errors import StoreError
from accord.store._settings import Settings

__all__ = ["Migration", "connect", "create_database_engine", "current_revision", "for_writing",
           "head_revision", "migrate", "write_transaction"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE = "accord_write"


@dataclass(frozen=True)
class Migration:
    """What the schema check did: the revision found and the one left."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self, shown_url: str) -> str:
        if self.before is None:
            return f"{shown_url}: created the database schema (revision {self.after})"
        if self.changed:
            return f"{shown_url}: upgraded the database schema from revision {self.before} " \
                   f"to {self.after}"
        return f"{shown_url}: the database schema is up to date (revision {self.after})"


def create_database_engine(settings: Settings) -> Engine:
    """An engine for the settings' database; connects lazily."""
    url = settings.database_url
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).parent
            if not folder.is_dir():
                raise StoreError(f"{settings.shown_url}: no such folder", [Problem(
                    f"the folder {folder} of the database does not exist",
                    file=str(database), hint="create the folder or give another --db")])
        engine = create_engine(url)
        if database and database != ":memory:" and not database.startswith("file:"):
            event.listen(engine, "do_connect", partial(_private_file, Path(database)))
        event.listen(engine, "connect", _sqlite_connected)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _private_file(path: Path, *_: object) -> None:
    """Create the database file readable and writable by its owner only (0600) when the
    connection is about to create it: it holds password hashes and every customer's data.
    SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_connected(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (SQLAlchemy's
    # recipe for SQLite), so that DDL and bulk loads are inside one real transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # A writer takes the write lock at once: a transaction that read first and wrote later
    # could not be let in after another writer's commit (SQLITE_BUSY_SNAPSHOT), whereas
    # waiting for the lock is what busy_timeout does.
    write = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def for_writing(engine: Engine) -> Engine:
    """``engine`` for transactions that write (SQLite: ``BEGIN IMMEDIATE``)."""
    return engine.execution_options(**{_WRITE: True})


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """A transaction that writes; committed when it ends well, else rolled back."""
    return for_writing(engine).begin()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    """The revision of the newest migration this Accord ships."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, shown_url: str) -> Migration:
    """Bring the schema to the head revision, or refuse the database (StoreError)."""
    script = ScriptDirectory.from_config(_config())
    head = head_revision()
    try:
        with write_transaction(engine) as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current is None:
                tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
                if tables:
                    raise StoreError(f"{shown_url}: not an Accord database", [Problem(
                        f"{shown_url}: holds tables ({', '.join(sorted(tables)[:5])} …) but no "
                        "Accord schema revision", hint="give an empty database or one made by "
                        "`accord init`")])
            elif current != head:
                try:
                    known = script.get_revision(current) is not None
                except Exception:  # alembic raises its own errors for unknown ids
                    known = False
                if not known:
                    raise StoreError(f"{shown_url}: unknown schema revision {current}", [Problem(
                        f"{shown_url}: the database schema is at revision {current!r}, which "
                        f"this Accord does not know (it knows up to {head!r})",
                        hint="use the Accord version that wrote this database, or a newer one")])
            if current != head:
                config = _config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
    except OperationalError as error:
        raise _unreachable(shown_url, error) from None
    except SQLAlchemyError as error:
        raise _unreachable(shown_url, error) from None
    return Migration(current, head)


def _unreachable(shown_url: str, error: SQLAlchemyError) -> StoreError:
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return StoreError(f"{shown_url}: cannot use the database", [Problem(
        f"{shown_url}: cannot use the database: {reason}",
        hint="check the URL (--db or ACCORD_DATABASE_URL) and that the server is running")])


def connect(settings: Settings, report: Callable[[str], object] | None = None) -> Engine:
    """An engine on a database at this Accord's schema revision (upgraded if older).

    ``report`` is told what was done when the schema was created or upgraded.
    """
    engine = create_database_engine(settings)
    try:
        migration = migrate(engine, settings.shown_url)
    except BaseException:
        engine.dispose()
        raise
    if migration.changed and report is not None:
        report(migration.describe(settings.shown_url))
    return engine
