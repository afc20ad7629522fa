"""Two answers read as one: a question's answers without escalation, then those the walk found."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from service.reachability.model import Access


class Joined(Sequence[Access]):
    """`first` then `then`, read as one answer: a slice reads only the items it holds."""

    __slots__ = ("_first", "_then")

    def __init__(self, first: Sequence[Access], then: Sequence[Access]) -> None:
        self._first, self._then = first, then

    def __len__(self) -> int:
        return len(self._first) + len(self._then)

    @overload
    def __getitem__(self, index: int) -> Access: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Access]: ...
    def __getitem__(self, index: int | slice) -> Access | Sequence[Access]:
        split = len(self._first)
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            head = list(self._first[start:stop]) if start < split else []
            tail = list(self._then[max(start - split, 0) : max(stop - split, 0)]) if stop > split else []
            return head + tail
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        return self._first[position] if position < split else self._then[position - split]

    def __iter__(self) -> Iterator[Access]:
        yield from self._first
        yield from self._then
