"""Connecting, creating the schema, upgrading an older one and refusing an unknown one."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import inspect, text

from accord.store import StoreError, connect, get_settings, head_revision
from accord.store.database import create_database_engine


def test_a_new_database_gets_every_table_and_says_so(db_url: str) -> None:
    said: list[str] = []
    engine = connect(get_settings(db_url), said.append)
    tables = set(inspect(engine).get_table_names())
    assert {"tickets", "ticket_status", "incidents", "deliveries", "measurements", "parties",
            "services", "agreements", "agreement_versions", "results", "objective_results",
            "alembic_version"} <= tables
    assert said == [f"{get_settings(db_url).shown_url}: created the database schema "
                    f"(revision {head_revision()})"]
    said.clear()
    connect(get_settings(db_url), said.append).dispose()
    assert said == []
    engine.dispose()


def test_an_older_schema_is_upgraded(db_url: str) -> None:
    settings = get_settings(db_url)
    engine = connect(settings)
    with engine.begin() as connection:
        # As a database from before the first migration: the revision table, nothing else.
        for table in reversed(inspect(connection).get_table_names()):
            if table != "alembic_version":
                connection.execute(text(f'DROP TABLE "{table}" CASCADE' if
                                        connection.dialect.name == "postgresql"
                                        else f'DROP TABLE "{table}"'))
        connection.execute(text("DELETE FROM alembic_version"))
    said: list[str] = []
    connect(settings, said.append).dispose()
    assert said
    assert "created the database schema" in said[0]
    assert "tickets" in inspect(engine).get_table_names()
    engine.dispose()


def test_an_unknown_revision_is_refused(db_url: str) -> None:
    settings = get_settings(db_url)
    engine = connect(settings)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="'9999', which this Accord does not know"):
        connect(settings)
    engine.dispose()


def test_a_database_with_other_tables_is_not_taken_over(db_url: str) -> None:
    engine = create_database_engine(get_settings(db_url))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE payroll (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StoreError, match="no Accord schema revision"):
        connect(get_settings(db_url))
    assert "tickets" not in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path_factory: pytest.TempPathFactory) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('wal') / 'accord.db'}"
    engine = connect(get_settings(url))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_new_sqlite_database_and_its_journal_are_private_to_their_owner(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("mode") / "accord.db"
    engine = connect(get_settings(f"sqlite:///{path}"))
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM users").scalar()
        files = [path, path.with_name("accord.db-wal"), path.with_name("accord.db-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {
            f.name: 0o600 for f in files}
    engine.dispose()


@pytest.mark.parametrize(("given", "driver"), [
    ("postgresql://u:p@db:5432/accord", "postgresql+psycopg"),
    ("postgres://u:p@db/accord", "postgresql+psycopg"),
    ("sqlite:///accord.db", "sqlite"),
])
def test_urls_as_users_write_them_get_the_shipped_driver(given: str, driver: str) -> None:
    assert get_settings(given).database_url.drivername == driver


def test_the_url_comes_from_the_option_then_the_environment_then_the_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    assert get_settings().database_url.database == "accord.db"
    monkeypatch.setenv("ACCORD_DATABASE_URL", "sqlite:///from-env.db")
    assert get_settings().database_url.database == "from-env.db"
    assert get_settings("sqlite:///given.db").database_url.database == "given.db"


def test_a_password_is_not_shown() -> None:
    assert "secret" not in get_settings("postgresql://u:secret@db/accord").shown_url
