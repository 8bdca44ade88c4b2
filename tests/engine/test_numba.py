import subprocess
import sys


def test_the_cached_kernel_loads_without_the_compiler_registries_which_compiling_still_has() -> None:
    # accord.engine._numba: a kernel from numba's cache needs none of the typing and lowering
    # registries (numba.np.linalg is one); a kernel compiled afterwards gets them all.
    code = ("import sys, polars as pl, numba; "
            "from accord.io._canonical import canonical_instants; "
            "read = canonical_instants(pl.Series(['2026-03-02T09:15:00Z', None])); "
            "print(read.dt.epoch('s').to_list()[0], 'numba.np.linalg' in sys.modules); "
            "print(numba.njit(lambda x: x.sum())(read.to_physical().drop_nulls().to_numpy()), "
            "'numba.np.linalg' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(2)]
    # The first run may have compiled the kernel into the cache; the second loads it.
    assert runs[1] == ["1772442900", "False", "1772442900000000", "True"]
