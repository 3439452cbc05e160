"""Custom parameters and their substitution variables (LTI Core §5.4.6 and its appendix
"Variable substitution"; the variable names are those of LTI 1.1, which LTI Advantage keeps).

A platform administrator writes custom parameters as `key=value` lines. A value that is exactly
a variable name (`$Context.id`) is replaced, at each launch, by that launch's value; names are
case-sensitive. A value the platform does not substitute — an unknown variable, or one whose
value the launch does not carry (withheld by the privacy setting, or not part of this message) —
is sent as written, as the specification says. Plain Python: the caller supplies the values.
"""

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

# Keys as tools read them back: lower-case letters, digits and underscores, starting with a
# letter (tools that turn custom claims into form fields, as LTI 1.1 did, need no escaping).
KEY = re.compile(r"[a-z][a-z0-9_]*")
KEY_MAX_LENGTH = 64
VALUE_MAX_LENGTH = 1000
# What a variable looks like: `$` and dotted names, e.g. `$Person.name.full`.
VARIABLE = re.compile(r"\$[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+")


class Variable(StrEnum):
    """The substitution variables this platform knows (LTI Core appendix "Variable
    substitution")."""

    USER_ID = "$User.id"  # the `sub` claim
    USER_USERNAME = "$User.username"
    PERSON_SOURCED_ID = "$Person.sourcedId"  # lis.person_sourcedid
    PERSON_NAME_FULL = "$Person.name.full"
    PERSON_NAME_GIVEN = "$Person.name.given"
    PERSON_NAME_FAMILY = "$Person.name.family"
    PERSON_EMAIL_PRIMARY = "$Person.email.primary"
    CONTEXT_ID = "$Context.id"
    CONTEXT_TITLE = "$Context.title"
    CONTEXT_LABEL = "$Context.label"
    COURSE_SECTION_SOURCED_ID = "$CourseSection.sourcedId"
    RESOURCE_LINK_ID = "$ResourceLink.id"
    RESOURCE_LINK_TITLE = "$ResourceLink.title"


class Problem(StrEnum):
    """Why a line of custom parameters cannot be used."""

    NO_EQUALS = "no_equals"  # not `key=value`
    BAD_KEY = "bad_key"  # not lower-case letters, digits and underscores
    KEY_TOO_LONG = "key_too_long"
    VALUE_TOO_LONG = "value_too_long"
    DUPLICATE_KEY = "duplicate_key"
    RESERVED_KEY = "reserved_key"  # a key the platform sends itself


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based
    problem: Problem
    key: str


@dataclass(frozen=True)
class CustomParameters:
    items: tuple[tuple[str, str], ...]
    problems: tuple[LineProblem, ...]


def key_problem(key: str, *, reserved: Collection[str] = ()) -> Problem | None:
    """What is wrong with a custom parameter's key, or None."""
    if len(key) > KEY_MAX_LENGTH:
        return Problem.KEY_TOO_LONG
    if not KEY.fullmatch(key):
        return Problem.BAD_KEY
    if key in reserved:
        return Problem.RESERVED_KEY
    return None


def parse_custom_parameters(text: str, *, reserved: Collection[str] = ()) -> CustomParameters:
    """The `key=value` lines of `text` (blank lines skipped; the key and the value trimmed; the
    first `=` separates them), and every line's problem. Nothing is dropped silently: a line
    with a problem is left out of `items` and listed in `problems`."""
    items: list[tuple[str, str]] = []
    problems: list[LineProblem] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, equals, value = line.partition("=")
        key, value = key.strip(), value.strip()
        problem = Problem.NO_EQUALS if not equals else key_problem(key, reserved=reserved)
        if problem is None and key in seen:
            problem = Problem.DUPLICATE_KEY
        if problem is None and len(value) > VALUE_MAX_LENGTH:
            problem = Problem.VALUE_TOO_LONG
        if problem is not None:
            problems.append(LineProblem(line=number, problem=problem, key=key))
            continue
        seen.add(key)
        items.append((key, value))
    return CustomParameters(items=tuple(items), problems=tuple(problems))


def is_variable(value: str) -> bool:
    return VARIABLE.fullmatch(value) is not None


def unknown_variables(values: Iterable[str]) -> list[str]:
    """The values that look like variables but name none this platform knows, in order and
    once each: they are sent as written."""
    known = {variable.value for variable in Variable}
    unknown: list[str] = []
    for value in values:
        if is_variable(value) and value not in known and value not in unknown:
            unknown.append(value)
    return unknown


def substitute(
    parameters: Iterable[tuple[str, str]], values: Mapping[Variable, str]
) -> dict[str, str]:
    """The custom claim: each value that is exactly a variable in `values` replaced by its
    value; every other value (text, unknown variables, variables the launch does not carry)
    as written."""
    by_name = {variable.value: value for variable, value in values.items()}
    return {key: by_name.get(value, value) for key, value in parameters}
