"""The database behind Accord (DESIGN.md §7): SQLite embedded by default, PostgreSQL in
production, through SQLAlchemy 2 with Alembic migrations shipped in ``migrations/``.

    get_settings(db)        where the database is: --db, else ACCORD_DATABASE_URL, else accord.db
    connect(settings)       an engine on a database at this Accord's schema revision
    schema                  the tables (typed declarative models, not the domain models)
    agreements              agreement versions, parties and services
    ingest                  bulk, keyed loading of the data tables, one transaction per file
    tables                  the stored data read back as the engine's Tables
    results                 stored evaluations: current results and their history
"""

from accord.store._errors import StoreError
from accord.store._settings import Settings, get_settings
from accord.store.database import Migration, connect, head_revision, migrate

__all__ = ["Migration", "Settings", "StoreError", "connect", "get_settings", "head_revision",
           "migrate"]
