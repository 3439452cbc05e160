"""Text that came from outside (a request's parameter names, a tool-signed title) made safe to
show, post back and store: cut to a length, control characters taken out. PostgreSQL stores no
NUL at all, and an escape sequence has no place in a record an administrator reads."""

_CONTROL = dict.fromkeys([*range(32), 127])
_CONTROL_BUT_LINES = dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127])


def plain_text(value: object, limit: int, *, keep_lines: bool = False) -> str:
    """`value` cut to `limit` characters without its control characters (tabs and line breaks
    kept with `keep_lines`); "" for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    return value[:limit].translate(_CONTROL_BUT_LINES if keep_lines else _CONTROL)


def quoted_name(name: str, limit: int = 40) -> str:
    """A parameter's name as a refusal quotes it: the request chose it, so it is cut short (with
    an ellipsis) and made plain."""
    return plain_text(name, limit) + ("…" if len(name) > limit else "")
