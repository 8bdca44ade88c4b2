import subprocess
import sys

import pytest


def run(script: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return done.stdout.split()


def test_numba_starts_without_cffi_and_cffi_stays_importable() -> None:
    pytest.importorskip("cffi")
    assert run("import accord.engine.timers, numba.core.typing.cffi_utils as c, cffi; "
               "print(c.SUPPORTED, cffi.FFI is not None)") == ["False", "True"]


def test_the_light_modules_of_the_engine_do_not_load_numba() -> None:
    assert run("import sys, accord.engine.tables, accord.engine.periods, accord.io; "
               "print('numba' in sys.modules)") == ["False"]


def test_the_engine_names_are_its_functions_whatever_was_imported_first() -> None:
    assert run("import accord.engine.warm, accord.engine.evaluator; "
               "from accord.engine import evaluate, Period, Tables; "
               "print(callable(evaluate), evaluate.__module__, Period.__name__, Tables.__name__)"
               ) == ["True", "accord.engine.evaluator", "Period", "Tables"]
