"""Databases for the storage tests: every test that takes ``db_url`` runs on SQLite and on a
real PostgreSQL.

PostgreSQL: the server at ``ACCORD_TEST_POSTGRES_URL`` when set, else a throwaway PostgreSQL 15
started for the session (``initdb`` refuses to run as root, so it and the server run as the
``postgres`` user). Without PostgreSQL the PostgreSQL variants are skipped, except under
``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text


def _postgres_bin() -> Path:
    """PostgreSQL's programs: ACCORD_TEST_POSTGRES_BIN, else version 15's, else the newest."""
    given = os.environ.get("ACCORD_TEST_POSTGRES_BIN")
    if given:
        return Path(given)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: (p.parent.parent.name != "15", -int(p.parent.parent.name)
                                  if p.parent.parent.name.isdigit() else 0))
    return found[0].parent if found else Path("/usr/lib/postgresql/15/bin")


_BIN = _postgres_bin()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(*args: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is needed under CI: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A URL of a PostgreSQL server (no database name) for the whole test session."""
    given = os.environ.get("ACCORD_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if not (_BIN / "initdb").is_file():
        _unavailable(f"{_BIN / 'initdb'} is missing (install postgresql, or set "
                     "ACCORD_TEST_POSTGRES_URL)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _unavailable("running as root and runuser is missing")
    base = Path(tempfile.mkdtemp(prefix="accord-pg-"))
    data, sockets = base / "data", base / "sockets"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres(str(_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U",
                                "postgres", "-E", "UTF8", "--no-sync"),
                   check=True, capture_output=True, timeout=120)
    options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c full_page_writes=off -c synchronous_commit=off")
    subprocess.run(_as_postgres(str(_BIN / "pg_ctl"), "-D", str(data), "-o", options,
                                "-l", str(base / "server.log"), "-w", "start"),
                   check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres(str(_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                    "-w", "stop"), check=False, capture_output=True, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@contextmanager
def _fresh_database(request: pytest.FixtureRequest, kind: str, directory: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'accord.db'}"
        return
    server = make_url(request.getfixturevalue("postgres_server"))
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=_KINDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database, as a user would write it."""
    with _fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=_KINDS)
def module_db_url(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database shared by the tests of one module (which must not change what the
    others rely on), on SQLite and on PostgreSQL."""
    with _fresh_database(request, request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"db_url", "module_db_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh database at the current schema revision."""
    from accord.store import connect, get_settings

    created = connect(get_settings(db_url))
    try:
        yield created
    finally:
        created.dispose()
