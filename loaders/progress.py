"""Progress of long loads, reported to a person on stderr (or nowhere)."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def note(self, text: str) -> None: ...

    def rows(self, label: str, done: int, total: int, elapsed: float) -> None: ...


class SilentProgress:
    def note(self, text: str) -> None:
        pass

    def rows(self, label: str, done: int, total: int, elapsed: float) -> None:
        pass


class StderrProgress:
    """One line per step; row counts at most every `interval` seconds (and always the last)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._last = 0.0

    def note(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def rows(self, label: str, done: int, total: int, elapsed: float) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        rate = done / elapsed if elapsed > 0 else 0.0
        print(f"{label}: wrote {done}/{total} rows ({rate:,.0f} rows/s)", file=self.stream, flush=True)
