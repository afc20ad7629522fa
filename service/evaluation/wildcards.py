"""`*` and `?` matching, compiled once per pattern.

Three dialects, each from the IAM User Guide:

- actions (`Action`/`NotAction`): case-insensitive; `*` is any run, `?` exactly one character.
- resources (`Resource`/`NotResource`): case-sensitive; wildcards stay inside one colon-separated ARN
  segment, except a `*` that ends a segment, which may run past colons ("IAM JSON policy elements:
  Resource > Using wildcards in resource ARNs").
- condition strings (`StringLike`): case-sensitive, `*` and `?` anywhere; `ArnLike` matches each of the
  six ARN components separately.

Patterns that went through policy-variable substitution arrive in *escaped* form: a backslash makes the
next character literal, so `${*}` and substituted values never act as wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache

from .variables import Absent, Unresolved, substitute_text

_CACHE_SIZE = 1 << 16


def translate(pattern: str, *, segmented: bool, escaped: bool) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if escaped and ch == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            ends_segment = i + 1 == n or pattern[i + 1] == ":"
            out.append("[^:]*" if segmented and not ends_segment else ".*")
        elif ch == "?":
            out.append("[^:]" if segmented else ".")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=_CACHE_SIZE)
def action_regex(pattern_lower: str) -> re.Pattern[str]:
    return re.compile(translate(pattern_lower, segmented=False, escaped=False), re.DOTALL)


@lru_cache(maxsize=_CACHE_SIZE)
def resource_regex(pattern: str, escaped: bool = False) -> re.Pattern[str]:
    return re.compile(translate(pattern, segmented=True, escaped=escaped), re.DOTALL)


@lru_cache(maxsize=_CACHE_SIZE)
def string_like_regex(pattern: str, escaped: bool = False, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(translate(pattern, segmented=False, escaped=escaped), flags)


@lru_cache(maxsize=_CACHE_SIZE)
def resource_matcher(pattern: str) -> Callable[[str], bool]:
    """`resource_matches(pattern, resource)` for one pattern, as a function of the resource, for a pattern read
    against many resources: a pattern whose only wildcard is a `*` ending it is a prefix (no regular
    expression), any other is compiled only once a resource has its literal start."""
    if pattern == "*":
        return _anything
    if not has_wildcard(pattern):
        return pattern.__eq__
    start = min(i for i in (pattern.find("*"), pattern.find("?")) if i >= 0)
    prefix = pattern[:start]
    if start == len(pattern) - 1 and pattern[start] == "*":  # (a final `*` may run past colons: any rest)
        return lambda resource: resource.startswith(prefix)
    return lambda resource: resource.startswith(prefix) and resource_regex(pattern).fullmatch(resource) is not None


def _anything(_: str) -> bool:
    return True


def has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def action_matches(pattern: str, action: str) -> bool:
    """Whether an `Action` pattern such as `s3:Get*` matches `action`, ignoring case."""
    if pattern == "*":
        return True
    pattern_lower, action_lower = pattern.lower(), action.lower()
    if not has_wildcard(pattern_lower):
        return pattern_lower == action_lower
    return action_regex(pattern_lower).fullmatch(action_lower) is not None


def resource_matches(
    pattern: str,
    resource: str,
    variables: Mapping[str, str | Sequence[str]] | None = None,
) -> bool:
    """Whether a `Resource` pattern matches `resource` (case-sensitive).

    With `variables` (context key → value(s), keys case-insensitive), `${...}` policy variables in the
    pattern are substituted first, as under Version 2012-10-17; a variable with no value and no default
    makes the pattern match nothing, as AWS does. Without `variables` the pattern is taken literally.
    """
    if variables is None:
        return _resource_glob(pattern, resource, escaped=False)
    lowered = {k.lower(): ((v,) if isinstance(v, str) else tuple(v)) for k, v in variables.items()}
    expanded = substitute_text(pattern, lambda key: lowered.get(key.lower(), Absent.ABSENT))
    if isinstance(expanded, Absent):
        return False
    if isinstance(expanded, Unresolved):  # cannot occur: a plain mapping never answers "unknown"
        return False
    return any(_resource_glob(p, resource, escaped=True) for p in expanded)


def _resource_glob(pattern: str, resource: str, *, escaped: bool) -> bool:
    if pattern == "*":
        return True
    if not escaped:
        return resource_matcher(pattern)(resource)
    return resource_regex(pattern, escaped).fullmatch(resource) is not None


def string_like(pattern: str, value: str, *, escaped: bool = False) -> bool:
    return string_like_regex(pattern, escaped).fullmatch(value) is not None


def arn_like(pattern: str, value: str, *, escaped: bool = False) -> bool:
    """`ArnLike`/`ArnEquals`: each of the six `:`-separated ARN components is matched on its own."""
    value_parts = value.split(":", 5)
    if len(value_parts) != 6:
        return False
    if pattern == "*":
        return True
    pattern_parts = _split_arn(pattern, escaped)
    if len(pattern_parts) != 6:
        return False  # a pattern that is not six components never lines up with an ARN
    return all(
        string_like_regex(p, escaped).fullmatch(v) is not None for p, v in zip(pattern_parts, value_parts, strict=True)
    )


@lru_cache(maxsize=_CACHE_SIZE)
def _split_arn(pattern: str, escaped: bool) -> tuple[str, ...]:
    if not escaped:
        return tuple(pattern.split(":", 5))
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            current.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == ":" and len(parts) < 5:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return tuple(parts)


# --- one pattern against another (questions about "some resource matching a pattern") ------------------
#
# A resource pattern is read as a small automaton over positions: a literal or `?` moves on, a `*` may stay.
# Two patterns meet, or one covers the other, over a finite alphabet standing for every character: the
# characters either pattern names, `:` (which `?` and a segment-inner `*` never cross), and one character
# neither names, standing for all the others (they all behave alike).

_ANY = object()  # `?`
_OTHER = "\x00other"


def _tokens(pattern: str, escaped: bool) -> tuple[object, ...]:
    """Each token: a literal character, `_ANY`, or a bool (a `*`: True when it may cross a `:`)."""
    out: list[object] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if escaped and ch == "\\" and i + 1 < n:
            out.append(pattern[i + 1])
            i += 2
            continue
        if ch == "*":
            out.append(i + 1 == n or pattern[i + 1] == ":")
        elif ch == "?":
            out.append(_ANY)
        else:
            out.append(ch)
        i += 1
    return tuple(out)


def _closure(tokens: tuple[object, ...], states: frozenset[int]) -> frozenset[int]:
    out = set(states)
    stack = list(states)
    while stack:
        i = stack.pop()
        if i < len(tokens) and isinstance(tokens[i], bool) and i + 1 not in out:
            out.add(i + 1)
            stack.append(i + 1)
    return frozenset(out)


def _step(tokens: tuple[object, ...], states: frozenset[int], ch: str) -> frozenset[int]:
    moved: set[int] = set()
    for i in states:
        if i >= len(tokens):
            continue
        token = tokens[i]
        if isinstance(token, bool):
            if token or ch != ":":
                moved.add(i)
        elif token is _ANY:
            if ch != ":":
                moved.add(i + 1)
        elif token == ch:
            moved.add(i + 1)
    return _closure(tokens, frozenset(moved))


def _literal(pattern: str, escaped: bool) -> bool:
    """A pattern that matches one resource only: itself (no `*`, `?`, nor an escape to read)."""
    return not escaped and "*" not in pattern and "?" not in pattern


def _matches(tokens: tuple[object, ...], text: str) -> bool:
    """Whether the pattern's automaton accepts the one resource `text` (the product automaton's reading of
    a literal, one state set at a time)."""
    states = _closure(tokens, frozenset({0}))
    for ch in text:
        states = _step(tokens, states, ch)
        if not states:
            return False
    return len(tokens) in states


def _alphabet(*token_lists: tuple[object, ...]) -> tuple[str, ...]:
    named = {t for tokens in token_lists for t in tokens if isinstance(t, str)}
    return (*sorted(named | {":"}), _OTHER)


def _pair_states(
    a: tuple[object, ...], b: tuple[object, ...], *, b_must_live: bool
) -> Iterator[tuple[frozenset[int], frozenset[int]]]:
    """Every pair of states that `a` and `b` reach on one string, read together (the product automaton);
    pairs where `a` is dead are never yielded, nor (with `b_must_live`) those where `b` is."""
    alphabet = _alphabet(a, b)
    start = (_closure(a, frozenset({0})), _closure(b, frozenset({0})))
    seen = {start}
    stack = [start]
    while stack:
        pair = stack.pop()
        yield pair
        for ch in alphabet:
            nxt = (_step(a, pair[0], ch), _step(b, pair[1], ch))
            if nxt[0] and (nxt[1] or not b_must_live) and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)


@lru_cache(maxsize=_CACHE_SIZE)
def patterns_meet(left: str, right: str, left_escaped: bool = False, right_escaped: bool = False) -> bool:
    """Whether some resource matches both `Resource`-style patterns (`*` and `?` on both sides)."""
    if (left == "*" and not left_escaped) or (right == "*" and not right_escaped):
        return True  # (`*` matches every resource, and every pattern matches some)
    if _literal(left, left_escaped):
        return _matches(_tokens(right, right_escaped), left)
    if _literal(right, right_escaped):
        return _matches(_tokens(left, left_escaped), right)
    a, b = _tokens(left, left_escaped), _tokens(right, right_escaped)
    return any(len(a) in sa and len(b) in sb for sa, sb in _pair_states(a, b, b_must_live=True))


@lru_cache(maxsize=_CACHE_SIZE)
def pattern_covers(outer: str, inner: str, outer_escaped: bool = False, inner_escaped: bool = False) -> bool:
    """Whether every resource `inner` matches, `outer` matches too."""
    if outer == "*" and not outer_escaped:
        return True
    if _literal(inner, inner_escaped):
        return _matches(_tokens(outer, outer_escaped), inner)
    a, b = _tokens(inner, inner_escaped), _tokens(outer, outer_escaped)
    return not any(len(a) in sa and len(b) not in sb for sa, sb in _pair_states(a, b, b_must_live=False))
    a, b = _tokens(inner, inner_escaped), _tokens(outer, outer_escaped)
    alphabet = _alphabet(a, b)
    start = (_closure(a, frozenset({0})), _closure(b, frozenset({0})))
    seen = {start}
    stack = [start]
    while stack:
        sa, sb = stack.pop()
        if len(a) in sa and len(b) not in sb:
            return False
        for ch in alphabet:
            nxt = (_step(a, sa, ch), _step(b, sb, ch))
            if nxt[0] and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return True
