"""The registry of benchmark scenarios that `ordna bench` runs.

A scenario is a function `run(options) -> list[Report]`; each capability adds its own with
`@scenario("name", "what it measures")`. Scenarios measure and report: nothing here
asserts a time, and CI does not gate on the figures (docs/performance.md has them).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    value: float
    unit: str

    def as_text(self) -> str:
        if float(self.value).is_integer():
            shown = f"{int(self.value):,}"
        elif self.value >= 100:
            shown = f"{self.value:,.1f}"
        else:
            shown = f"{self.value:.3g}"
        return f"{self.name}: {shown} {self.unit}".replace(",", " ")


@dataclass
class Report:
    scenario: str
    figures: list[Figure] = field(default_factory=list)
    baseline_ratio: float | None = None  # app time / baseline time, measured in the same run
    notes: str = ""

    def add(self, name: str, value: float, unit: str) -> None:
        self.figures.append(Figure(name, value, unit))

    def as_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "figures": [f.__dict__ for f in self.figures],
            "baseline_ratio": self.baseline_ratio,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    run: Callable[[dict], list[Report]]


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, description: str):
    def register(func):
        SCENARIOS[name] = Scenario(name, description, func)
        return func

    return register


def median_seconds(func: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `repeat` calls (after one warm-up call)."""
    func()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]
