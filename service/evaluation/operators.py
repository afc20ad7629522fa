"""Condition operators: one `ConditionClause` against the request context → True, False or undecided.

Rules from the IAM User Guide, "IAM JSON policy elements: Condition operators" and "Conditions with
multiple context keys or values":

- several values for one key are OR'd; for a negated operator (`StringNotEquals`...) they are NOR'd;
- a key missing from the context makes the clause false, except: negated operators are true,
  `...IfExists` is true, `ForAllValues:` is true, `ForAnyValue:` is false, and `Null` tests presence;
- `ForAllValues:` holds when every request value matches some policy value, `ForAnyValue:` when at
  least one does;
- policy variables are substituted only in string and ARN operators.

A request value the operator cannot read (a number that is not a number, a bad date or IP) matches
nothing, and neither does the negated operator: the comparison simply cannot be made.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from .context import RequestContext
from .formula import Cond, Test
from .policy import ConditionClause
from .variables import Absent, Unknown, Unresolved, substitute_text, unescape
from .wildcards import arn_like, string_like

NEGATED: dict[str, str] = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
_VARIABLE_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"})


def evaluate_clause(clause: ConditionClause, ctx: RequestContext, *, variables: bool, origin: Test) -> Cond:
    """Decide one clause. `origin` is the undecided answer: the clause as a `Test` naming its statement."""
    found = ctx.lookup(clause.key_lower)
    if isinstance(found, Unknown):
        return origin
    present = not isinstance(found, Absent) and len(found) > 0
    if clause.base == "Null":
        # "true" asks that the key be absent, "false" that it be present; several values are OR'd.
        return any((value.lower() == "true") != present for value in clause.values)
    if not present:
        if clause.if_exists or clause.qualifier == "ForAllValues":
            return True
        if clause.qualifier == "ForAnyValue":
            return False
        return clause.base in NEGATED
    assert not isinstance(found, Absent)
    positive_base = NEGATED.get(clause.base, clause.base)
    negated = positive_base != clause.base
    policy_values = _policy_values(clause, positive_base, ctx, variables)
    if isinstance(policy_values, Unresolved):
        return origin
    if not policy_values[0]:
        return False  # every value named a variable the request lacks: "the statement is invalid"
    matcher = _MATCHERS[positive_base]
    results = [matcher(value, policy_values) for value in found]  # None: value unreadable
    if clause.qualifier == "ForAllValues":
        return all(r is not None and r != negated for r in results)
    if clause.qualifier == "ForAnyValue":
        return any(r is not None and r != negated for r in results)
    readable = [r for r in results if r is not None]
    if not readable:
        return False
    return not any(readable) if negated else any(readable)


def _policy_values(
    clause: ConditionClause, base: str, ctx: RequestContext, variables: bool
) -> tuple[tuple[str, ...], bool] | Unresolved:
    """The clause's values, with variables substituted; the flag says they are escaped patterns."""
    if not variables or base not in _VARIABLE_OPERATORS or not any("${" in v for v in clause.values):
        return clause.values, False
    out: list[str] = []
    for value in clause.values:
        expanded = substitute_text(value, ctx.lookup_variable)
        if isinstance(expanded, Unresolved):
            return expanded
        if isinstance(expanded, Absent):
            continue  # this value cannot match; others still may
        out.extend(expanded)
    return tuple(out), True


Values = tuple[tuple[str, ...], bool]


def _string_equals(value: str, values: Values) -> bool | None:
    patterns, escaped = values
    return value in (tuple(unescape(p) for p in patterns) if escaped else patterns)


def _string_equals_ignore_case(value: str, values: Values) -> bool | None:
    patterns, escaped = values
    folded = value.casefold()
    return any((unescape(p) if escaped else p).casefold() == folded for p in patterns)


def _string_like(value: str, values: Values) -> bool | None:
    patterns, escaped = values
    return any(string_like(p, value, escaped=escaped) for p in patterns)


def _arn_like(value: str, values: Values) -> bool | None:
    patterns, escaped = values
    return any(arn_like(p, value, escaped=escaped) for p in patterns)


@lru_cache(maxsize=4096)
def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=4096)
def parse_date(text: str) -> datetime | None:
    """ISO 8601 (date, date-time, with or without zone; no zone means UTC) or epoch seconds."""
    text = text.strip()
    try:
        if text.lstrip("-").replace(".", "", 1).isdigit():
            return datetime.fromtimestamp(float(text), tz=UTC)
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@lru_cache(maxsize=4096)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        network = _network(text)
        return network.network_address if network is not None and network.num_addresses == 1 else None


@lru_cache(maxsize=4096)
def _binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None


def _ordered(parse: Callable[[str], Any], compare: Callable[[Any, Any], bool]) -> Callable[[str, Values], bool | None]:
    def match(value: str, values: Values) -> bool | None:
        left = parse(value)
        if left is None:
            return None
        for pattern in values[0]:
            right = parse(pattern)
            if right is not None and compare(left, right):
                return True
        return False

    return match


def _bool(value: str, values: Values) -> bool | None:
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        return None
    return any(p.strip().lower() == lowered for p in values[0])


def _ip_address(value: str, values: Values) -> bool | None:
    address = _address(value)
    if address is None:
        return None
    for pattern in values[0]:
        network = _network(pattern)
        if network is not None and network.version == address.version and address in network:
            return True
    return False


def _binary_equals(value: str, values: Values) -> bool | None:
    raw = _binary(value)
    as_bytes = raw if raw is not None else value.encode("utf-8", "surrogatepass")
    return any(_binary(p) == as_bytes for p in values[0])


def _eq(a: Any, b: Any) -> bool:
    return bool(a == b)


def _lt(a: Any, b: Any) -> bool:
    return bool(a < b)


def _le(a: Any, b: Any) -> bool:
    return bool(a <= b)


def _gt(a: Any, b: Any) -> bool:
    return bool(a > b)


def _ge(a: Any, b: Any) -> bool:
    return bool(a >= b)


_READERS: dict[str, Callable[[str], object]] = {
    "Numeric": _number,
    "Date": parse_date,
    "IpAddress": _network,
    "BinaryEquals": _binary,
}


def reads_value(base: str, value: str) -> bool:
    """Whether operator `base` (bare, positive or negated) can read a policy value at all."""
    if base == "Bool":
        return value.strip().lower() in ("true", "false")
    positive = NEGATED.get(base, base)
    for prefix, read in _READERS.items():
        if positive.startswith(prefix):
            return read(value) is not None
    return True


_MATCHERS: dict[str, Callable[[str, Values], bool | None]] = {
    "StringEquals": _string_equals,
    "StringEqualsIgnoreCase": _string_equals_ignore_case,
    "StringLike": _string_like,
    "NumericEquals": _ordered(_number, _eq),
    "NumericLessThan": _ordered(_number, _lt),
    "NumericLessThanEquals": _ordered(_number, _le),
    "NumericGreaterThan": _ordered(_number, _gt),
    "NumericGreaterThanEquals": _ordered(_number, _ge),
    "DateEquals": _ordered(parse_date, _eq),
    "DateLessThan": _ordered(parse_date, _lt),
    "DateLessThanEquals": _ordered(parse_date, _le),
    "DateGreaterThan": _ordered(parse_date, _gt),
    "DateGreaterThanEquals": _ordered(parse_date, _ge),
    "Bool": _bool,
    "BinaryEquals": _binary_equals,
    "IpAddress": _ip_address,
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
}
