"""measure_growth: a ratio that looks too high is measured again before it is believed."""

from __future__ import annotations

from collections.abc import Callable

from crack.harness.growth import measure_growth


def _workload(per_op: dict[int, list[float]]) -> tuple[list[int], Callable[[int], float]]:
    calls: list[int] = []

    def run(size: int) -> float:
        calls.append(size)
        return per_op[size].pop(0)

    return calls, run


def test_a_busy_start_is_measured_again_until_a_quiet_round_shows_constant_time() -> None:
    # The first three large rounds were slowed by another process; the fourth was quiet.
    calls, run = _workload({1_000: [1.0] * 8, 100_000: [20.0, 30.0, 25.0, 1.5] + [9.0] * 4})
    growth = measure_growth(run, 1_000, 100_000, confirm_above=8.0)
    assert growth.cost_ratio == 1.5
    assert len(calls) == 8  # three rounds, then one more that settled it


def test_a_scan_stays_slow_in_every_extra_round_and_is_believed_after_max_rounds() -> None:
    calls, run = _workload({1_000: [1.0] * 8, 100_000: [90.0] * 8})
    growth = measure_growth(run, 1_000, 100_000, confirm_above=8.0, max_rounds=6)
    assert growth.cost_ratio == 90.0
    assert len(calls) == 12


def test_without_confirm_above_three_rounds_are_all() -> None:
    calls, run = _workload({1_000: [1.0] * 3, 100_000: [20.0] * 3})
    assert measure_growth(run, 1_000, 100_000).cost_ratio == 20.0
    assert len(calls) == 6
