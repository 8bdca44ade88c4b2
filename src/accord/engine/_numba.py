"""Numba, started for cached kernels: the kernel modules import ``numba`` from here.

Two costs of a process's first compiled call are cut, neither of which Accord's kernels need:

- **CFFI.** Numba's typing registries include ``numba.core.typing.cffi_utils``, which builds a
  ``cffi.FFI()`` when CFFI is installed (it is, for ``cryptography``): pycparser then builds its
  C parser, about 0.1 s. Importing that module once while ``cffi`` cannot be imported makes it
  record that CFFI is not supported; ``cffi`` itself stays importable for everything else.
- **The registries, for a kernel loaded from the cache.** Numba refreshes its CPU target before
  loading a cached kernel: it imports and installs every typing and lowering registry (about
  0.2 s: strings, lists, dicts, random numbers, linear algebra, jitclasses, third-party
  extensions), which only *compiling* needs; the compiler refreshes them itself when a kernel
  is not in the cache. Machine code loaded from the cache needs only the symbols it links
  against: the runtime's (NRT, initialised here as the refresh would), the C helpers and
  exception types (installed when the target was made) and the string hash secret (installed
  by importing ``numba.cpython.hashing``, done here too).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

__all__ = ["load_cached_without_registries", "numba", "start_without_cffi"]


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


def load_cached_without_registries() -> None:
    """Make numba load a cached CPU kernel without first installing its compiler's registries.

    Numba's own ``Cache.load_overload`` is ``target_context.refresh()`` and then
    ``_load_overload`` under ``_guard_against_spurious_io_errors``; this keeps the second
    part and replaces the refresh by what cached machine code needs (module docstring). A
    numba whose cache lacks those methods is left as it is.
    """
    from numba.core import caching
    from numba.core.cpu import CPUContext
    from numba.core.runtime.nrt import rtsys

    cache = caching.Cache
    original: Callable[[Any, Any, Any], Any] = cache.load_overload
    if getattr(original, "_accord_light", False) or not all(
            hasattr(cache, name) for name in ("_load_overload",
                                              "_guard_against_spurious_io_errors")):
        return

    def load_overload(self: Any, sig: Any, target_context: Any) -> Any:
        if not isinstance(target_context, CPUContext):
            return original(self, sig, target_context)
        import numba.cpython.hashing  # noqa: F401  (installs the hash secret's symbols)

        rtsys.initialize(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)
        return None  # the guard swallowed an I/O error: as numba does, compile instead

    load_overload._accord_light = True  # type: ignore[attr-defined]
    cache.load_overload = load_overload  # type: ignore[method-assign]


start_without_cffi()

import numba  # noqa: E402  (after CFFI is skipped)

load_cached_without_registries()
