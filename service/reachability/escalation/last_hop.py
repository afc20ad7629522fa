"""The last hop of an escalation walk, taken whole: the principals it finds are counted and ordered, never
expanded, so the ways to them are kept as they were found (one principal's way, or a collection of
principals each reached the same way: a member list of a signature class, a technique's actors) and each
principal's way is made only when an answer needs it.

At 100k principals a role nearly the whole organization reaches has some 70,000 principals at its last hop,
found through a few thousand member lists and actor mappings: adding each list as a set (in C) instead of
each principal as a way (in Python) is what this saves. A principal keeps the first way found to it, as a
walk that made every way would (`ways` replays them in the order found).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from typing import Generic, TypeVar

W = TypeVar("W")


class LastHop(Generic[W]):
    """The ways found to the last hop, in the order found."""

    __slots__ = ("_all", "_found", "_records", "_ways")

    def __init__(self) -> None:
        # (how to make each principal's way, per way found: one principal's, or a collection's)
        self._records: list[Callable[[], Iterable[tuple[str, W]]]] = []
        self._all: set[str] = set()  # (every principal found, in one set: a set's update runs in C)
        self._found: set[str] | None = None
        self._ways: dict[str, W] | None = None

    def one(self, arn: str, way: W) -> None:
        """A way to one principal (kept if it is the first found to it)."""
        self._records.append(lambda: ((arn, way),))
        self._all.add(arn)

    def many(self, arns: AbstractSet[str], ways: Callable[[], Iterable[tuple[str, W]]]) -> None:
        """A way to each of `arns`: `ways()` gives each with its way (those it leaves out, none)."""
        self._records.append(ways)
        self._all.update(arns)

    def __contains__(self, arn: object) -> bool:
        return arn in self._all

    def arns(self, leave_out: Callable[[str], bool]) -> set[str]:
        """The principals found, but those `leave_out` says were found before this hop."""
        self._found = {arn for arn in self._all if not leave_out(arn)}
        return self._found

    def ways(self) -> dict[str, W]:
        """Each principal's first way, of those `arns` kept (made on the first call)."""
        if self._ways is None:
            assert self._found is not None, "ways before arns"
            wanted, kept = self._found, dict[str, W]()
            for record in self._records:
                for arn, made in record():
                    if arn in wanted and arn not in kept:
                        kept[arn] = made
            self._ways = kept
        return self._ways
