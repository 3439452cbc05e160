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
