"""`python -m benchmarks --quick` (issue 24): a ratio over its regression line is measured
again before it counts, one that comes back under the line passes, one that stays over it
is reported (CI then exits 1); each guard is judged at the largest size measured."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.__main__ import GUARDS, Bench, check

LINE = {g.key: g.line for g in GUARDS}


class Remeasured(Bench):
    """A Bench whose measures are scripted: each re-measure round sets the next values."""

    def __init__(self, rounds: list[dict[str, float]]):
        super().__init__(Path("."), argparse.Namespace())
        self.rounds = rounds
        self.calls = 0
        self.measures = {1000: {}, 5000: {}}
        self._apply(rounds[0])

    def _apply(self, values: dict[str, float]) -> None:
        for key, value in values.items():
            self.values[key, 5000] = value

    def size(self, n: int, repeat: int | None = None) -> None:
        if n == 5000:
            self.calls += 1
            self._apply(self.rounds[min(self.calls, len(self.rounds) - 1)])

    def growth(self, small: int, large: int) -> None:
        pass

    def start_up(self, n: int) -> None:
        pass


def test_a_ratio_under_its_lines_is_no_regression() -> None:
    bench = Remeasured([{"parse_x_floor": LINE["parse_x_floor"] - 0.1}])
    assert check(bench, rounds=2) == [] and bench.calls == 0


def test_a_busy_spell_is_measured_again_before_it_counts() -> None:
    over = LINE["parse_x_floor"] * 1.5
    bench = Remeasured([{"parse_x_floor": over}, {"parse_x_floor": 4.0}])
    assert check(bench, rounds=2) == [] and bench.calls == 1


def test_a_ratio_that_stays_over_its_line_is_reported() -> None:
    over = LINE["load_marginal_x_floor"] * 3
    bench = Remeasured([{"load_marginal_x_floor": over}])
    problems = check(bench, rounds=2)
    assert bench.calls == 2
    assert len(problems) == 1 and "over its line" in problems[0]
    assert f"{over:.2f} at 5,000 claims" in problems[0]


def test_the_small_size_alone_does_not_decide() -> None:
    bench = Remeasured([{"parse_x_floor": 1.0}])
    bench.values["parse_x_floor", 1000] = LINE["parse_x_floor"] * 5  # milliseconds: noise
    assert check(bench, rounds=1) == []
