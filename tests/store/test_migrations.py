"""The migrations build exactly the tables that ``schema.py`` declares."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from accord.store import database, head_revision
from accord.store.schema import Base


def test_the_migrated_database_matches_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        revision = context.get_current_revision()
    assert differences == []
    assert revision == head_revision()


def test_every_declared_table_is_migrated(engine: Engine) -> None:
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_the_notification_tables_go_and_come_back_with_their_migration(engine: Engine) -> None:
    notification_tables = {"subscriptions", "notifications", "delivery_attempts"}
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    assert not notification_tables & set(inspect(engine).get_table_names())
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert notification_tables <= set(inspect(engine).get_table_names())


def test_a_customers_tickets_are_found_by_an_index_that_its_migration_adds(
        engine: Engine) -> None:
    def indexed() -> dict[str, list[str | None]]:
        return {index["name"]: index["column_names"]
                for index in inspect(engine).get_indexes("tickets") if index["name"]}

    assert indexed()["ix_tickets_customer"] == ["customer"]
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert "ix_tickets_customer" not in indexed()
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert indexed()["ix_tickets_customer"] == ["customer"]


def test_the_reports_table_goes_and_comes_back_with_its_migration(engine: Engine) -> None:
    assert "reports" in inspect(engine).get_table_names()
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert "reports" not in inspect(engine).get_table_names()
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "reports" in inspect(engine).get_table_names()
    assert {c["name"] for c in inspect(engine).get_columns("reports")} == {
        "id", "customer", "period", "page_sha256", "evaluation_id", "sha256", "pdf",
        "printed_at"}


def test_the_token_parent_goes_and_comes_back_with_its_migration(engine: Engine) -> None:
    def columns() -> set[str]:
        return {c["name"] for c in inspect(engine).get_columns("api_tokens")}

    assert "parent_id" in columns()
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert "parent_id" not in columns()
    with database.write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "parent_id" in columns()
    assert any(fk["constrained_columns"] == ["parent_id"]
               for fk in inspect(engine).get_foreign_keys("api_tokens"))
