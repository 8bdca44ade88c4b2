"""The ``accord`` command (DESIGN.md §6).

Errors from every layer arrive as :class:`~accord.errors.AccordError` and are shown in one
place, :func:`main`, with their exit code. The commands live in ``_files`` (agreements and
data as files, no database), ``_database`` (everything stored), ``_service`` (the service,
users, tokens), ``_notify`` (the worker and subscriptions), ``_documents`` (SLA documents),
``_report`` (monthly SLA reports) and ``_demo`` (the demo workspace).
"""

from accord.cli import _database, _demo, _documents, _files, _notify, _report, _service
from accord.cli._app import app, main

__all__ = ["app", "main"]

# imported for the commands they register on ``app``
del _database, _demo, _documents, _files, _notify, _report, _service
