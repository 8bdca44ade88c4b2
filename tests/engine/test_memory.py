import subprocess
import sys

import pytest

PROBE = """
import ctypes, sys
from accord.engine.memory import keep_freed_memory

class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "keep":
    keep_freed_memory()
    keep_freed_memory()  # once per process is enough; again changes nothing
mapped = libc.mallinfo2().hblkhd
block = libc.malloc(16 * 2**20)  # a column of two million int64s
print(libc.mallinfo2().hblkhd - mapped)
libc.free(block)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_a_freed_column_sized_block_comes_from_the_heap_for_reuse() -> None:
    # glibc maps a 16 MiB block on its own (and unmaps it when freed) unless told to keep it.
    mapped = {mode: int(subprocess.run([sys.executable, "-c", PROBE, mode], check=True,
                                       capture_output=True, text=True).stdout)
              for mode in ("plain", "keep")}
    assert mapped["plain"] >= 16 * 2**20
    assert mapped["keep"] == 0
