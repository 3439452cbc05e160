"""Semesters as the portal writes them ("2026/27/1": the academic year 2026/27, its first
semester) and which one a day falls in. The one place the academic calendar's rule lives."""

import datetime

from core import clock


def semester_on(day: datetime.date) -> str:
    """The Hungarian academic year starts in September: its first semester runs from September
    to January, its second from February to August."""
    if day.month >= 9:
        start, term = day.year, 1
    elif day.month == 1:
        start, term = day.year - 1, 1
    else:
        start, term = day.year - 1, 2
    return f"{start}/{(start + 1) % 100:02d}/{term}"


def current_semester() -> str:
    """Today's semester, by the portal's clock (`core.clock`)."""
    return semester_on(clock.today())
