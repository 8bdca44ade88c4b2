"""The warm-up evaluates its built-in agreement (a broken one would warm nothing, silently),
and the kernels it loads come from numba's cache."""

import subprocess
import sys

from accord.engine.warm import warm_up, warm_up_in_background


def test_the_warm_up_evaluates_every_metric_with_evidence() -> None:
    [result] = warm_up().agreements
    assert {o.metric.value for o in result.objectives} == {
        "response_time", "resolution_time", "availability", "delivery", "kpi"}
    assert all(o.counted > 0 for o in result.objectives), result.objectives


def test_the_warm_up_runs_on_a_daemon_thread_that_ends() -> None:
    thread = warm_up_in_background()
    thread.join(timeout=120)
    assert thread.daemon
    assert not thread.is_alive()


# Numba's on-disk cache (``cache=True`` on every kernel): a second process loads the machine
# code the first one compiled. Numba's event API reports each compilation ("numba:compile"),
# and none for a kernel loaded from the cache.
LOADING = """
import numba, polars as pl
from numba.core import event
from accord.engine.warm import warm_up
from accord.io._canonical import canonical_instants

with event.install_recorder("numba:compile") as kernels:
    warm_up()
    canonical_instants(pl.Series(["2026-03-02T09:15:00Z", None]))
with event.install_recorder("numba:compile") as fresh:
    numba.njit(lambda x: x + 1)(1)  # not cacheable: compiled in every process
print(len(kernels.buffer), len(fresh.buffer) > 0)
"""


def test_a_second_process_loads_every_kernel_from_numbas_cache_without_compiling() -> None:
    runs = [subprocess.run([sys.executable, "-c", LOADING], capture_output=True, text=True,
                           timeout=600, check=True).stdout.split() for _ in range(2)]
    # The first run may have compiled the kernels into the cache; the second only loads them.
    assert runs[1] == ["0", "True"]
