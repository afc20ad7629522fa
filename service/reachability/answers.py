"""Answers: made in principal-ARN order as they are read, counted before they are made, and remembered per
question and generation (the only code that keys answers by generation)."""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar, overload, runtime_checkable

from service.reachability.model import Access, Path
from service.reachability.profiles import Entry, Profile
from service.reachability.snapshot import LoadIds, freeze

T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class AnswerKey:
    question: Hashable
    loads: LoadIds


class AnswerCache:
    """Recent answers by question and generation, so that the pages of one answer (and a question asked
    again before the next load) are computed once. Bounded by answers and by their total size."""

    def __init__(self, max_answers: int = 32, max_items: int = 200_000) -> None:
        self._answers: OrderedDict[Hashable, Sequence[Any]] = OrderedDict()
        self._items = 0
        self.max_answers, self.max_items = max_answers, max_items

    def get(self, key: Hashable) -> Sequence[Any] | None:
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def put(self, key: Hashable, answer: Sequence[Any]) -> None:
        if self.max_answers <= 0 or len(answer) > self.max_items:
            return
        if (old := self._answers.pop(key, None)) is not None:
            self._items -= len(old)
        self._answers[key] = answer
        self._items += len(answer)
        while len(self._answers) > self.max_answers or self._items > self.max_items:
            _, dropped = self._answers.popitem(last=False)
            self._items -= len(dropped)


async def remembered(
    cache: AnswerCache, loads: LoadIds, question: Hashable, compute: Callable[[], Awaitable[Sequence[T]]]
) -> Sequence[T]:
    """The answer to `question` as of the loads the graph holds: computed once, then shared (answers are
    immutable) until a load changes the graph or the cache lets it go."""
    key = AnswerKey(question, loads)
    found: Sequence[T] | None = cache.get(key)
    if found is None:
        found = await compute()
        cache.put(key, found)
        # What the question worked out for its generation (the escalation graph's ways, decisions, answers)
        # lives as long as the generation: keep full collections off it too, or one walks everything every
        # question kept (3 s at 100k principals after a few dozen escalation questions, on whichever
        # question triggers it).
        freeze()
    return found


@dataclass(frozen=True, slots=True)
class Pending:
    """Members whose answers are still to be made (ARN order), and how to make one."""

    answer: Callable[[Profile], Access | None]
    entries: Iterator[Entry]


def merged(ready: list[Access], pending: list[Pending], total: int) -> Answers:
    """The answers in ARN order: `ready` ones (sorted) and the pending members', made as they are read."""
    # (Numbered so that equal ARNs, as two stand-ins for one unloaded account could have, keep an order:
    # ready ones first, then by decision class.)
    streams: list[Iterable[_Next]] = [[_Next(a.principal.arn, -1 - i, a, None) for i, a in enumerate(ready)]]
    streams += [_numbered(number, part.entries) for number, part in enumerate(pending)]

    def made() -> Iterator[Access]:
        for next_one in heapq.merge(*streams):
            if next_one.ready is not None:
                yield next_one.ready
            elif next_one.profile is not None:
                answer = pending[next_one.number].answer(next_one.profile)
                if answer is not None:
                    yield answer

    return Answers(total, made())


class _Next(NamedTuple):
    """The next answer of one stream: made already (`ready`), or to be made for `profile`. Ordered by ARN,
    then number, which never tie (a NamedTuple: one is made for every answer)."""

    arn: str
    number: int
    ready: Access | None
    profile: Profile | None


def _numbered(number: int, entries: Iterator[Entry]) -> Iterator[_Next]:
    for arn, profile in entries:
        yield _Next(arn, number, None, profile)


@runtime_checkable
class Prepared(Protocol):
    """An answer some of whose items are made by an asynchronous step before they are read (a walk over
    every principal's ways in worked out ahead: `bitwalk.BitWalked`)."""

    async def prepare(self, start: int, stop: int) -> None: ...


async def ready(answers: Sequence[Any], start: int, stop: int) -> None:
    """Make the items `start` to `stop` of `answers` readable (nothing to do for most answers)."""
    if isinstance(answers, Prepared):
        await answers.prepare(start, min(stop, len(answers)))
