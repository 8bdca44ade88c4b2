"""The evaluation engine: pure functions from agreements and tables to results.

Nothing here reads files, a database or the clock; the evaluation instant is an argument.
"""

from accord.engine._numba import start_without_cffi

start_without_cffi()

from accord.engine.clock import BusinessClock  # noqa: E402
from accord.engine.evaluate import evaluate, in_effect  # noqa: E402
from accord.engine.periods import Period  # noqa: E402
from accord.engine.results import AgreementResult, Evaluation, ObjectiveResult  # noqa: E402
from accord.engine.tables import SCHEMAS, TableName, Tables  # noqa: E402

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
