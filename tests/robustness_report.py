"""Figures the robustness tests collect while they run — requests fuzzed, answers by status,
races run, faults injected and what a user saw during each — printed at the end of the run
(tests/conftest.py, `pytest_terminal_summary`), so every CI log states them."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Report:
    requests: Counter = field(default_factory=Counter)  # endpoint -> requests sent
    statuses: Counter = field(default_factory=Counter)  # status code -> answers
    server_errors: int = 0  # answers of 500 and above, and exceptions out of the app
    races: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)  # what a scrape summed, and from where

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def lines(self) -> list[str]:
        lines = []
        if self.requests:
            lines.append(
                f"fuzzing: {self.total_requests:,} generated requests, "
                f"{self.server_errors} answered 5xx"
            )
            lines.extend(
                f"  {endpoint}: {count:,}" for endpoint, count in sorted(self.requests.items())
            )
            statuses = ", ".join(
                f"{code}: {count:,}" for code, count in sorted(self.statuses.items())
            )
            lines.append(f"  answers by status: {statuses}")
        lines.extend(f"race: {race}" for race in self.races)
        lines.extend(f"fault: {fault}" for fault in self.faults)
        lines.extend(f"metrics: {line}" for line in self.metrics)
        return lines


REPORT = Report()
