"""The store's error: the database cannot be used as it is."""

from __future__ import annotations

from accord.errors import AccordError

__all__ = ["StoreError"]


class StoreError(AccordError):
    """The database is unreachable, not Accord's, or of a schema this Accord does not know."""
