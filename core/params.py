"""Reading request parameters that name rows. `str.isdigit()` and `int()` accept far more than
ASCII digits ("²" is a digit to one and not to the other, "٤٤" is 44 to both): a parameter is an
id only when it is written in ASCII digits, and small enough for the database."""

import re

_ID = re.compile(r"[0-9]{1,18}")


def id_param(raw: str | None) -> int | None:
    """The id a parameter names, or None when it names none (absent, empty or malformed)."""
    if raw is None or not _ID.fullmatch(raw):
        return None
    return int(raw)


MAX_ID = 10**18 - 1  # what `id_param` reads at most: fits every database's 64-bit integer


def id_in_range(value: int) -> bool:
    """Whether an int from a URL (`<int:…>` takes any number of digits) can name a row. The ORM
    finds no row for a larger one; a hand-written read would pass it to the database, which
    refuses it with an error (SQLite: OverflowError)."""
    return 0 < value <= MAX_ID
