"""The answers: who reaches what, on which conditions, along which path. Plain frozen data."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from service.evaluation.formula import Condition, Leaf, Test, conj, describe, leaves

# A pseudo condition key for grants that hinge on a policy the loaded data does not contain.
UNKNOWN_POLICY_KEY = "accessgraph:UnknownPolicy"


@dataclass(frozen=True)
class NodeRef:
    arn: str
    kind: str
    name: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class PathStep:
    """One hop of a path: `source` reaches `target` because of `kind` (member_of, has_policy, assumes)."""

    source: NodeRef
    target: NodeRef
    kind: str
    via: str | None = None
    statement: str | None = None  # the granting statement, as JSON


Path = tuple[PathStep, ...]


class LazyPaths(Sequence[Path]):
    """Paths worked out on first read. A large answer is decided in full (its count and order are part of
    it), but a page of it only needs the paths of the principals it shows."""

    __slots__ = ("_make", "_paths")

    def __init__(self, make: Callable[[], Sequence[Path]]) -> None:
        self._make: Callable[[], Sequence[Path]] | None = make
        self._paths: tuple[Path, ...] = ()

    def _get(self) -> tuple[Path, ...]:
        if self._make is not None:
            self._paths, self._make = tuple(self._make()), None
        return self._paths

    @overload
    def __getitem__(self, index: int) -> Path: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Path]: ...
    def __getitem__(self, index: int | slice) -> Path | Sequence[Path]:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._get())


class Answers(Sequence["Access"]):
    """An answer whose length is known before its items are made: they are made in order as they are read
    (a page of 100 of 25,000 principals makes about 100). Immutable to its readers, like a tuple."""

    __slots__ = ("_items", "_made", "_total")

    def __init__(self, total: int, items: Iterable[Access]) -> None:
        self._total = total
        self._items: Iterator[Access] | None = iter(items)
        self._made: list[Access] = []

    def _make(self, count: int) -> None:
        made = self._made
        while self._items is not None and len(made) < count:
            item = next(self._items, None)
            if item is None:
                self._items = None
                # The count is worked out apart from the items: they must agree.
                assert len(made) == self._total, f"answer of {self._total} made {len(made)} items"
            else:
                made.append(item)
        if self._items is not None and len(made) == self._total:
            extra, self._items = next(self._items, None), None
            assert extra is None, f"answer of {self._total} made more items"

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> Access: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Access]: ...
    def __getitem__(self, index: int | slice) -> Access | Sequence[Access]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._total)
            self._make(max(start, stop) if step > 0 else start + 1)
            return self._made[index]
        position = index + self._total if index < 0 else index
        if not 0 <= position < self._total:
            raise IndexError(index)
        self._make(position + 1)
        return self._made[position]

    def __iter__(self) -> Iterator[Access]:
        position = 0
        while position < self._total:
            self._make(position + 1)
            yield self._made[position]
            position += 1


class _Conditional:
    """What an answer with an optional `condition` shows of it: its tests, flat, and its text."""

    condition: Condition | None

    @property
    def conditions(self) -> tuple[Leaf, ...]:
        return leaves(self.condition)

    @property
    def condition_text(self) -> str | None:
        return describe(self.condition) if self.condition is not None else None


@dataclass(frozen=True)
class Access(_Conditional):
    """`principal` can do what was asked, exactly when `condition` holds (None: unconditionally)."""

    principal: NodeRef
    condition: Condition | None
    paths: Sequence[Path]
    notes: tuple[str, ...] = ()
    hops: int = 0

    def via(self, prefix: Path, condition: Condition | None, hops: int) -> Access:
        """This access reached through `prefix` (a chain of role assumptions) that needs `condition`."""
        paths = tuple(path + prefix for path in self.paths)
        return Access(self.principal, both(condition, self.condition), paths, self.notes, hops)


def both(first: Condition | None, second: Condition | None) -> Condition | None:
    """The conjunction of two optional conditions (None: no condition)."""
    combined = conj([c for c in (first, second) if c is not None])
    return None if isinstance(combined, bool) else combined


def unknown_policy_condition(arns: tuple[str, ...]) -> Condition:
    return Test(key=UNKNOWN_POLICY_KEY, operator="PolicyNotLoaded", values=arns)


@dataclass(frozen=True)
class TrustFinding(_Conditional):
    """One principal a role's trust policy names outside the role's account (or anyone, `*`)."""

    role: NodeRef
    trusted: NodeRef
    trusted_account_id: str | None
    trusted_account_loaded: bool
    same_organization: bool | None  # None: the role's account is in no loaded organization
    outside_organization: bool
    statement_index: int
    sid: str | None
    effect: str
    condition: Condition | None
    has_external_id: bool
    requires_mfa: bool
    restricts_organization: bool
    statement: str | None = None
    categories: tuple[str, ...] = field(default=())
