import subprocess
import sys

import pytest


def test_numba_starts_without_cffi_and_cffi_stays_importable() -> None:
    pytest.importorskip("cffi")
    script = (
        "import accord.engine, numba.core.typing.cffi_utils as c, cffi; "
        "print(c.SUPPORTED, cffi.FFI is not None)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["False", "True"]
