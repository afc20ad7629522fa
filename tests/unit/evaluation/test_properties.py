"""Hypothesis properties of the matchers, policy variables, principal matching, formulas and parser."""

from __future__ import annotations

import json
import urllib.parse
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import PolicyError
from service.evaluation import (
    All,
    AnyOf,
    Cond,
    Not,
    Policy,
    Principal,
    PrincipalSet,
    Test,
    action_matches,
    conj,
    disj,
    match_not_principal,
    match_principal,
    neg,
    parse_policy,
    pattern_covers,
    patterns_meet,
    resource_matches,
)
from service.evaluation.wildcards import resource_matcher, resource_regex

from .strategies import (
    IAM_NAME,
    actions,
    glob_over,
    glob_patterns,
    glob_subjects,
    json_values,
    policy_like_documents,
    principals,
    resources,
)


def reference_glob(pattern: str, text: str, *, segmented: bool) -> bool:
    """A slow, obviously-correct matcher: `*` any run, `?` one character; with `segmented`, neither
    crosses a `:` except a `*` that ends a segment (IAM's Resource rule)."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        ch = pattern[i]
        if ch == "*":
            crossing = not segmented or i + 1 == len(pattern) or pattern[i + 1] == ":"
            if match(i + 1, j):
                return True
            return j < len(text) and (crossing or text[j] != ":") and match(i, j + 1)
        if ch == "?":
            return j < len(text) and (not segmented or text[j] != ":") and match(i + 1, j + 1)
        return j < len(text) and text[j] == ch and match(i + 1, j + 1)

    return match(0, 0)


# --- actions ------------------------------------------------------------------------------------


@given(glob_patterns, glob_subjects)
def test_action_matching_agrees_with_reference(pattern: str, subject: str) -> None:
    assert action_matches(pattern, subject) == reference_glob(pattern.lower(), subject.lower(), segmented=False)


@given(st.data(), actions())
def test_action_pattern_derived_from_action_matches_in_any_case(data: st.DataObject, action: str) -> None:
    pattern = data.draw(glob_over(action))
    recase = data.draw(st.sampled_from([str.upper, str.lower, str.swapcase, str.title]))
    assert action_matches(recase(pattern), action)
    assert action_matches(pattern, recase(action))


@given(actions(), st.integers(min_value=2, max_value=4))
def test_question_marks_match_exactly_one_character(action: str, extra: int) -> None:
    service, name = action.split(":")
    assert action_matches(f"{service}:{'?' * len(name)}", action)
    assert not action_matches(f"{service}:{'?' * (len(name) + extra - 1)}", action)
    if len(name) > 1:
        assert not action_matches(f"{service}:{'?' * (len(name) - 1)}", action)


# --- resources ----------------------------------------------------------------------------------


@given(glob_patterns, glob_subjects)
def test_resource_matching_agrees_with_reference(pattern: str, subject: str) -> None:
    assert resource_matches(pattern, subject) == reference_glob(pattern, subject, segmented=True)


@given(glob_patterns, glob_subjects, st.booleans())
def test_resource_matcher_agrees_with_the_compiled_pattern(pattern: str, subject: str, final_star: bool) -> None:
    # (a pattern whose only wildcard is a final `*` is read as a prefix; any other through its regex)
    pattern = pattern + "*" if final_star else pattern
    assert resource_matcher(pattern)(subject) == (resource_regex(pattern).fullmatch(subject) is not None)


@given(resources())
def test_resource_matching_is_case_sensitive(resource: str) -> None:
    literal = resource.replace("*", "x").replace("?", "x")
    swapped = literal.swapcase()
    assert resource_matches(literal, literal)
    assert resource_matches(swapped, literal) == (swapped == literal)


@given(st.data(), resources())
def test_resource_pattern_with_trailing_star_matches_extensions(data: st.DataObject, resource: str) -> None:
    cut = data.draw(st.integers(0, len(resource)))
    prefix = resource[:cut].replace("*", "${*}").replace("?", "${?}")
    assert resource_matches(prefix + "*", resource, variables={})


# --- policy variables ---------------------------------------------------------------------------

VALUE = st.text(alphabet="abcXYZ09*?$.-_+", min_size=1, max_size=10)


@given(VALUE, VALUE)
def test_substituted_values_are_literal(name: str, other: str) -> None:
    pattern = "arn:aws:s3:::home/${aws:username}/*"
    variables = {"AWS:UserName": name}
    assert resource_matches(pattern, f"arn:aws:s3:::home/{name}/x", variables=variables)
    assert resource_matches(pattern, f"arn:aws:s3:::home/{other}/x", variables=variables) == (other == name)


@given(st.text(alphabet="ab*?$", max_size=3))
def test_special_variables_are_literal_characters(suffix: str) -> None:
    assert resource_matches("arn:aws:s3:::b/${*}", f"arn:aws:s3:::b/{suffix}", variables={}) == (suffix == "*")
    assert resource_matches("arn:aws:s3:::b/${?}", f"arn:aws:s3:::b/{suffix}", variables={}) == (suffix == "?")
    assert resource_matches("arn:aws:s3:::b/${$}", f"arn:aws:s3:::b/{suffix}", variables={}) == (suffix == "$")


@given(VALUE, st.booleans())
def test_defaults_apply_only_when_the_key_is_absent(default: str, present: bool) -> None:
    safe_default = default.replace("'", "")
    pattern = f"arn:aws:s3:::t/${{aws:PrincipalTag/team, '{safe_default}'}}"
    variables = {"aws:PrincipalTag/team": "red"} if present else {}
    expected = "red" if present else safe_default
    assert resource_matches(pattern, f"arn:aws:s3:::t/{expected}", variables=variables)


@given(VALUE)
def test_absent_variable_without_default_matches_nothing(value: str) -> None:
    assert not resource_matches("arn:aws:s3:::t/${aws:username}", f"arn:aws:s3:::t/{value}", variables={})
    assert not resource_matches("arn:aws:s3:::t/${aws:username}*", "arn:aws:s3:::t/", variables={})


# --- principals ---------------------------------------------------------------------------------


def _session_test(session: str) -> Test:
    return Test("aws:userid", "StringLike", (f"*:{session}",))


def _own_arn(p: Principal) -> str:
    if p.kind == "role" and p.session_name is not None:
        return f"arn:aws:sts::{p.account_id}:assumed-role/{p.name}/{p.session_name}"
    return p.arn


@given(principals())
def test_principal_named_by_its_own_arn(p: Principal) -> None:
    match = match_principal(PrincipalSet(aws=(_own_arn(p),)), p, _session_test)
    named = match.user if p.kind == "user" else match.direct
    assert named is True or (p.kind == "role" and p.session_name is None and match.role is True)
    assert match.account is False


@given(principals())
def test_principal_named_by_its_account_is_delegation(p: Principal) -> None:
    assert p.account_id is not None
    for value in (p.account_id, f"arn:aws:iam::{p.account_id}:root"):
        match = match_principal(PrincipalSet(aws=(value,)), p, _session_test)
        assert (match.direct if p.kind == "root" else match.account) is True


@given(principals(), principals())
def test_principals_of_other_accounts_never_match(p: Principal, q: Principal) -> None:
    if p.account_id == q.account_id:
        return
    element = PrincipalSet(aws=(_own_arn(q), q.account_id or "", f"arn:aws:iam::{q.account_id}:root"))
    assert match_principal(element, p, _session_test).any is False


@given(principals(), st.from_regex(r"A(ID|RO)A[A-Z0-9]{16}", fullmatch=True))
def test_unknown_unique_ids_match_nothing(p: Principal, unique_id: str) -> None:
    match = match_principal(PrincipalSet(aws=(unique_id,)), p, _session_test)
    assert match.any is (unique_id == p.unique_id)
    if unique_id != p.unique_id:
        assert match.unknown_ids == (unique_id,)


@given(principals(), IAM_NAME)
def test_not_principal_complements_principal(p: Principal, other: str) -> None:
    assert p.account_id is not None
    every_facet = (p.account_id, p.arn, p.role_arn or p.arn, _own_arn(p))
    listed = match_not_principal(PrincipalSet(aws=every_facet), p, _session_test, deny_with_boundary=False)
    if p.kind == "role" and p.session_name is None:
        # The session is a facet of its own; with its name unknown, listing one makes the answer conditional.
        session_arn = f"arn:aws:sts::{p.account_id}:assumed-role/{p.name}/ci"
        listed_with_session = match_not_principal(
            PrincipalSet(aws=(*every_facet, session_arn)), p, _session_test, deny_with_boundary=False
        )
        assert listed is True
        assert listed_with_session == neg(_session_test("ci"))
    else:
        assert listed is False
    stranger = f"arn:aws:iam::999999999999:user/{other}"
    assert match_not_principal(PrincipalSet(aws=(stranger,)), p, _session_test, deny_with_boundary=False) is True
    assert match_not_principal(PrincipalSet(everyone=True), p, _session_test, deny_with_boundary=False) is False


# --- formulas -----------------------------------------------------------------------------------

LEAVES = [Test(f"k{i}", "StringEquals", ("v",)) for i in range(3)]


def formulas() -> st.SearchStrategy[Cond]:
    base: st.SearchStrategy[Cond] = st.one_of(st.booleans(), st.sampled_from(LEAVES))
    return st.recursive(
        base,
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(conj),
            st.lists(children, max_size=3).map(disj),
            children.map(neg),
        ),
        max_leaves=10,
    )


def truth(cond: Cond, world: dict[str, bool]) -> bool:
    if isinstance(cond, bool):
        return cond
    if isinstance(cond, Test):
        return world[cond.key]
    if isinstance(cond, Not):
        return not truth(cond.item, world)
    if isinstance(cond, All):
        return all(truth(item, world) for item in cond.items)
    assert isinstance(cond, AnyOf)
    return any(truth(item, world) for item in cond.items)


@given(st.lists(formulas(), max_size=3), st.lists(st.booleans(), min_size=3, max_size=3))
def test_simplification_keeps_meaning(items: list[Cond], bits: list[bool]) -> None:
    world = {f"k{i}": bit for i, bit in enumerate(bits)}
    assert truth(conj(items), world) == all(truth(i, world) for i in items)
    assert truth(disj(items), world) == any(truth(i, world) for i in items)
    for item in items:
        assert truth(neg(item), world) == (not truth(item, world))


@given(st.lists(formulas(), max_size=3))
def test_simplified_formulas_have_no_trivial_nodes(items: list[Cond]) -> None:
    def check(cond: Cond) -> None:
        if isinstance(cond, All | AnyOf):
            assert len(cond.items) >= 2
            assert all(not isinstance(i, bool) for i in cond.items)
            for i in cond.items:
                check(i)
        elif isinstance(cond, Not):
            assert not isinstance(cond.item, Not | bool)
            check(cond.item)

    check(conj(items))
    check(disj(items))


# --- parser -------------------------------------------------------------------------------------


def _parses_or_policy_error(document: Any) -> Policy | None:
    try:
        return parse_policy(document, name="fuzz")
    except PolicyError:
        return None


@given(json_values())
def test_parser_never_crashes_on_json_values(value: Any) -> None:
    _parses_or_policy_error(value)
    try:
        text = json.dumps(value)
    except ValueError:
        return
    _parses_or_policy_error(text)


@given(st.text(max_size=200))
def test_parser_never_crashes_on_text(text: str) -> None:
    _parses_or_policy_error(text)


@given(policy_like_documents())
def test_parser_never_crashes_on_near_valid_documents(document: dict[str, Any]) -> None:
    parsed = _parses_or_policy_error(document)
    if parsed is not None:
        as_json = parse_policy(json.dumps(document), name="fuzz")
        url_encoded = parse_policy(urllib.parse.quote(json.dumps(document)), name="fuzz")
        assert parsed == as_json == url_encoded


# --- one resource pattern against another (questions about some resource of a pattern) ------------

SMALL_PATTERNS = st.text(alphabet="ab:*?", max_size=3)


@cache
def _strings(max_length: int) -> tuple[str, ...]:
    out = [""]
    frontier = [""]
    for _ in range(max_length):
        frontier = [s + ch for s in frontier for ch in "ab:"]
        out.extend(frontier)
    return tuple(out)


@settings(deadline=None)
@given(SMALL_PATTERNS, SMALL_PATTERNS)
def test_patterns_meet_exactly_when_some_resource_matches_both(left: str, right: str) -> None:
    # A shortest common resource is no longer than the two patterns together, and `a`, `b` and `:` are
    # enough to spell one (every other character behaves like `a` or `b`).
    witnesses = _strings(len(left) + len(right))
    expected = any(
        reference_glob(left, s, segmented=True) and reference_glob(right, s, segmented=True) for s in witnesses
    )
    assert patterns_meet(left, right) == expected


@settings(deadline=None)
@given(SMALL_PATTERNS, SMALL_PATTERNS)
def test_pattern_covers_exactly_when_no_resource_escapes(outer: str, inner: str) -> None:
    witnesses = _strings(len(outer) + len(inner) + 1)
    escapes = any(
        reference_glob(inner, s, segmented=True) and not reference_glob(outer, s, segmented=True) for s in witnesses
    )
    assert pattern_covers(outer, inner) == (not escapes)
