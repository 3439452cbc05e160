"""The academic calendar's one rule: which semester a day falls in."""

import datetime

import pytest

from core import clock
from virtualspaces.semesters import current_semester, semester_on


@pytest.mark.parametrize(
    ("day", "semester"),
    [
        ("2026-09-01", "2026/27/1"),
        ("2026-12-31", "2026/27/1"),
        ("2027-01-31", "2026/27/1"),
        ("2027-02-01", "2026/27/2"),
        ("2027-08-31", "2026/27/2"),
        ("2027-09-01", "2027/28/1"),
        ("2099-10-10", "2099/00/1"),
    ],
)
def test_semester_of_a_day(day, semester):
    assert semester_on(datetime.date.fromisoformat(day)) == semester


def test_current_semester_reads_the_portals_clock(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: datetime.date(2026, 3, 2))
    assert current_semester() == "2025/26/2"
    monkeypatch.setattr(clock, "today", lambda: datetime.date(2026, 10, 2))
    assert current_semester() == "2026/27/1"
