"""Undecided conditions as a small boolean formula.

When the request context cannot decide a condition (graph questions leave most keys unknown), the engine
keeps the condition instead of guessing. A `Cond` is `True`, `False` or a `Condition` formula built from
`Test` leaves with `All`, `AnyOf` and `Not`. The builders `conj`, `disj` and `neg` fold constants away,
flatten nesting, drop duplicates and fold `x` with `NOT x`, so a decision never carries `All` of one item
or a `True` inside a formula.

Nodes are combined in sets many times per decision, so each computes its hash once, at construction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, TypeAlias


@dataclass(frozen=True, slots=True)
class Test:
    """One condition the request context did not decide: `key operator values`, and where it came from.

    `operator` is the operator as written in the policy (`StringEqualsIfExists`,
    `ForAnyValue:StringLike`, ...). `policy_type` is one of identity, boundary, scp, rcp, resource,
    session (empty when the test was built outside a policy).
    """

    key: str
    operator: str
    values: tuple[str, ...]
    policy: str = ""
    statement: int | None = None
    sid: str | None = None
    policy_type: str = ""
    _hash: int = field(init=False, repr=False, compare=False)

    __test__: ClassVar[bool] = False  # a condition test, not a pytest test class

    def __post_init__(self) -> None:
        fields = (self.key, self.operator, self.values, self.policy, self.statement, self.sid, self.policy_type)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    def leaves(self) -> tuple[Leaf, ...]:
        return (Leaf(self, False),)

    def describe(self) -> str:
        shown = json.dumps(self.values[0]) if len(self.values) == 1 else json.dumps(list(self.values))
        return f"{self.key} {self.operator} {shown}"


@dataclass(frozen=True, slots=True)
class All:
    """Every item must hold."""

    items: tuple[Condition, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("All", self.items)))

    def __hash__(self) -> int:
        return self._hash

    def leaves(self) -> tuple[Leaf, ...]:
        return tuple(leaf for item in self.items for leaf in item.leaves())

    def describe(self) -> str:
        return _joined(self.items, " AND ", AnyOf)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one item must hold."""

    items: tuple[Condition, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("AnyOf", self.items)))

    def __hash__(self) -> int:
        return self._hash

    def leaves(self) -> tuple[Leaf, ...]:
        return tuple(leaf for item in self.items for leaf in item.leaves())

    def describe(self) -> str:
        return _joined(self.items, " OR ", All)


@dataclass(frozen=True, slots=True)
class Not:
    """The item must not hold."""

    item: Condition
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(("Not", self.item)))

    def __hash__(self) -> int:
        return self._hash

    def leaves(self) -> tuple[Leaf, ...]:
        return tuple(Leaf(leaf.test, not leaf.negated) for leaf in self.item.leaves())

    def describe(self) -> str:
        inner = self.item.describe()
        return f"NOT {inner}" if isinstance(self.item, Test) else f"NOT ({inner})"


Condition: TypeAlias = Test | All | AnyOf | Not
Cond: TypeAlias = bool | Condition


@dataclass(frozen=True, slots=True)
class Leaf:
    """A test as it appears in a formula: `negated` when it sits under an odd number of `Not`s."""

    test: Test
    negated: bool

    @property
    def key(self) -> str:
        return self.test.key

    @property
    def operator(self) -> str:
        return self.test.operator

    @property
    def values(self) -> tuple[str, ...]:
        return self.test.values

    @property
    def policy(self) -> str:
        return self.test.policy

    @property
    def statement(self) -> int | None:
        return self.test.statement

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "operator": self.operator,
            "values": list(self.values),
            "negated": self.negated,
            "policy": self.policy,
            "statement": self.statement,
            "sid": self.test.sid,
            "policyType": self.test.policy_type,
        }


def _joined(items: tuple[Condition, ...], separator: str, needs_parens: type) -> str:
    """The items' descriptions joined, each told once, in order. Two tests that read alike (the same key,
    operator and values) from two statements are one test to the reader: a decision class's member, whose
    statements of the same content are told as one, would otherwise read `X` where the principal the class
    was decided for reads `X OR X`."""
    told: dict[str, bool] = {}
    for item in items:
        told.setdefault(item.describe(), isinstance(item, needs_parens))
    if len(told) == 1:
        return next(iter(told))
    return separator.join(f"({text})" if parens else text for text, parens in told.items())


def conj(items: Iterable[Cond]) -> Cond:
    """AND of the items, simplified. `conj([])` is True."""
    return _combine(items, All, unit=True)


def disj(items: Iterable[Cond]) -> Cond:
    """OR of the items, simplified. `disj([])` is False."""
    combined = _combine(items, AnyOf, unit=False)
    return _absorb(combined.items) if isinstance(combined, AnyOf) else combined


def neg(item: Cond) -> Cond:
    if item is True:
        return False
    if item is False:
        return True
    return item.item if isinstance(item, Not) else Not(item)


def _combine(items: Iterable[Cond], node: type[All] | type[AnyOf], *, unit: bool) -> Cond:
    """Flatten nested `node`s, drop the unit (True for AND, False for OR), stop at the other constant,
    drop duplicates, and fold `x` with `NOT x` into that constant."""
    out: list[Condition] = []
    polarity: dict[Condition, bool] = {}
    for item in items:
        if item is unit:
            continue
        if isinstance(item, bool):
            return item
        for part in item.items if type(item) is node else (item,):
            atom, positive = (part.item, False) if isinstance(part, Not) else (part, True)
            seen = polarity.get(atom)
            if seen is None:
                polarity[atom] = positive
                out.append(part)
            elif seen != positive:
                return not unit
    if not out:
        return unit
    return out[0] if len(out) == 1 else node(tuple(out))


def _absorb(items: tuple[Condition, ...]) -> Condition:
    """`a OR (a AND b)` is `a`: drop conjunctions that contain another alternative whole."""
    if not any(isinstance(item, All) for item in items):
        return AnyOf(items)
    singles = {item for item in items if not isinstance(item, All)}
    kept = tuple(item for item in items if not (isinstance(item, All) and any(part in singles for part in item.items)))
    return kept[0] if len(kept) == 1 else AnyOf(kept)


def map_tests(cond: Condition, change: Callable[[Test], Test]) -> Cond:
    """The condition with each test replaced by `change(test)` (renamed, retold), folded again."""
    if isinstance(cond, Test):
        return change(cond)
    if isinstance(cond, Not):
        return neg(map_tests(cond.item, change))
    if isinstance(cond, All):
        return conj(map_tests(item, change) for item in cond.items)
    return disj(map_tests(item, change) for item in cond.items)


def leaves(cond: Cond | None) -> tuple[Leaf, ...]:
    """The tests in a condition, flattened; empty for a decided (bool or None) condition."""
    if cond is None or isinstance(cond, bool):
        return ()
    return cond.leaves()


def describe(cond: Cond | None) -> str:
    if cond is None or cond is True:
        return "always"
    if cond is False:
        return "never"
    return cond.describe()
