"""Numba, started without its CFFI support, which Accord's kernels never use: the kernel
modules import ``numba`` from here.

The first compiled call in a process loads numba's typing registries, and one of them,
``numba.core.typing.cffi_utils``, builds a ``cffi.FFI()`` when CFFI is installed (it is, for
``cryptography``): pycparser then builds its C parser, about 0.1 s of every ``accord evaluate``.
Importing that module once while ``cffi`` cannot be imported makes it record that CFFI is not
supported; ``cffi`` itself stays importable for everything else.
"""

from __future__ import annotations

import sys

__all__ = ["numba", "start_without_cffi"]


def start_without_cffi() -> None:
    if "cffi" in sys.modules or "numba.core.typing.cffi_utils" in sys.modules:
        return  # too late, or done: CFFI is already there, and nothing is saved
    sys.modules["cffi"] = None  # type: ignore[assignment]  # import cffi raises ImportError
    try:
        import numba.core.typing.cffi_utils  # noqa: F401
    except ImportError:  # a numba without this module: nothing to skip
        pass
    finally:
        del sys.modules["cffi"]


start_without_cffi()

import numba  # noqa: E402  (after CFFI is skipped)
