"""The evaluation engine: pure functions from agreements and tables to results.

Nothing here reads files, a database or the clock; the evaluation instant is an argument.
"""

from accord.engine.clock import BusinessClock
from accord.engine.evaluate import evaluate, in_effect
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
