"""Where the database is: ``--db URL``, else ``ACCORD_DATABASE_URL``, else ``accord.db`` here.

Settings are built on demand by :func:`get_settings` and handed to the code that needs them
(STYLE.md rule 7); nothing connects at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from accord.errors import Problem, UsageError

__all__ = ["DEFAULT_DATABASE_URL", "ENVIRONMENT_VARIABLE", "Settings", "database_url",
           "get_settings"]

DEFAULT_DATABASE_URL = "sqlite:///accord.db"
ENVIRONMENT_VARIABLE = "ACCORD_DATABASE_URL"

# The driver that comes with the install for each database a user names without one.
_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
            "postgresql+psycopg": "postgresql+psycopg", "sqlite": "sqlite",
            "sqlite+pysqlite": "sqlite"}


@dataclass(frozen=True)
class Settings:
    """What a command needs to reach its database."""

    database_url: URL

    @property
    def shown_url(self) -> str:
        """The URL with its password hidden, for messages."""
        return self.database_url.render_as_string(hide_password=True)


def database_url(text: str) -> URL:
    """The URL ``text`` with the driver Accord ships (``postgresql://`` → psycopg 3)."""
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise UsageError(f"{text!r} is not a database URL", [Problem(
            f"{text!r} is not a database URL",
            hint="write e.g. sqlite:///accord.db or postgresql://user:password@host:5432/accord",
        )]) from None
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise UsageError(f"{url.drivername} databases are not supported", [Problem(
            f"{url.drivername!r} databases are not supported",
            hint="use sqlite:///FILE or postgresql://user:password@host:port/dbname")])
    return url.set(drivername=driver)


def get_settings(db: str | None = None) -> Settings:
    """Settings from the ``--db`` option, else the environment, else the default."""
    text = db or os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_DATABASE_URL
    return Settings(database_url(text))
