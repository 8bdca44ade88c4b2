"""The warm-up evaluates its built-in agreement (a broken one would warm nothing, silently)."""

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
