"""Custom parameters and substitution variables (LTI Core §5.4.6): parsing the administrator's
`key=value` lines and substituting a launch's values. Plain Python, no database."""

import pytest

from panopto_link.lti.substitution import (
    Problem,
    Variable,
    is_variable,
    parse_custom_parameters,
    substitute,
    unknown_variables,
)


def test_lines_become_trimmed_pairs_in_order_and_blank_lines_are_skipped():
    parsed = parse_custom_parameters(
        " course = $CourseSection.sourcedId \n\nnote=a=b\r\nempty=\n", reserved=()
    )
    assert parsed.items == (
        ("course", "$CourseSection.sourcedId"),
        ("note", "a=b"),
        ("empty", ""),
    )
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("no equals sign", Problem.NO_EQUALS),
        ("Course=1", Problem.BAD_KEY),
        ("my key=1", Problem.BAD_KEY),
        ("1st=1", Problem.BAD_KEY),
        ("kód=1", Problem.BAD_KEY),
        ("=value", Problem.BAD_KEY),
        ("k" * 65 + "=1", Problem.KEY_TOO_LONG),
        ("long=" + "x" * 1001, Problem.VALUE_TOO_LONG),
        ("linked_folders=x", Problem.RESERVED_KEY),
    ],
)
def test_each_bad_line_is_reported_with_its_number_and_left_out(line, problem):
    parsed = parse_custom_parameters(f"good=1\n{line}\n", reserved=("linked_folders",))
    assert parsed.items == (("good", "1"),)
    assert [(p.line, p.problem) for p in parsed.problems] == [(2, problem)]


def test_a_key_given_twice_is_a_problem_on_its_second_line():
    parsed = parse_custom_parameters("a=1\nb=2\na=3")
    assert parsed.items == (("a", "1"), ("b", "2"))
    assert [(p.line, p.problem, p.key) for p in parsed.problems] == [
        (3, Problem.DUPLICATE_KEY, "a")
    ]


def test_only_a_whole_value_naming_a_known_variable_is_substituted_case_sensitively():
    values = {Variable.USER_ID: "sub-1", Variable.CONTEXT_LABEL: "MAT101"}
    custom = substitute(
        [
            ("user", "$User.id"),
            ("label", "$Context.label"),
            ("lower", "$user.id"),  # names are case-sensitive
            ("embedded", "id: $User.id"),  # not a whole value
            ("unknown", "$Canvas.user.id"),  # not a variable this platform knows
            ("withheld", "$Person.name.full"),  # known, but the launch does not carry it
            ("text", "plain"),
        ],
        values,
    )
    assert custom == {
        "user": "sub-1",
        "label": "MAT101",
        "lower": "$user.id",
        "embedded": "id: $User.id",
        "unknown": "$Canvas.user.id",
        "withheld": "$Person.name.full",
        "text": "plain",
    }


def test_unknown_variables_are_the_variable_shaped_values_this_platform_does_not_know():
    values = ["$Context.id", "$Canvas.user.id", "$user.id", "plain", "$5", "$Canvas.user.id"]
    assert unknown_variables(values) == ["$Canvas.user.id", "$user.id"]
    assert is_variable("$Person.name.full") and not is_variable("$Person") and not is_variable("")


def test_every_variable_the_issue_lists_is_known():
    listed = {
        "$User.id",
        "$User.username",
        "$Person.sourcedId",
        "$Person.name.full",
        "$Person.email.primary",
        "$Context.id",
        "$Context.title",
        "$Context.label",
        "$CourseSection.sourcedId",
        "$ResourceLink.id",
    }
    assert listed <= {variable.value for variable in Variable}
    assert unknown_variables(sorted(listed)) == []
