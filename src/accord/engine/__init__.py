"""The evaluation engine: pure functions from agreements and tables to results.

Nothing here reads files, a database or the clock; the evaluation instant is an argument.

The names below are imported when first used, so that importing a light module of the
engine (``accord.engine.tables``, ``accord.engine.periods``) does not load numba and the
compiled kernels (about half a second), which :mod:`accord.engine.warm` may load meanwhile.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.engine.clock import BusinessClock
    from accord.engine.evaluator import evaluate, in_effect
    from accord.engine.periods import Period
    from accord.engine.results import AgreementResult, Evaluation, ObjectiveResult
    from accord.engine.tables import SCHEMAS, TableName, Tables

__all__ = [
    "SCHEMAS",
    "AgreementResult",
    "BusinessClock",
    "Evaluation",
    "ObjectiveResult",
    "Period",
    "TableName",
    "Tables",
    "evaluate",
    "in_effect",
]

_HOMES = {
    "BusinessClock": "clock", "evaluate": "evaluator", "in_effect": "evaluator",
    "Period": "periods", "AgreementResult": "results", "Evaluation": "results",
    "ObjectiveResult": "results", "SCHEMAS": "tables", "TableName": "tables", "Tables": "tables",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'accord.engine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"accord.engine.{home}"), name)
    globals()[name] = value
    return value
