"""Progress of long loads, reported to a person on stderr (or nowhere)."""

from __future__ import annotations

import sys
import threading
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
    """One whole line per step, each starting with what it is about (`account 1111…:`), so the lines of
    parallel workers interleave but never mix; row counts at most every `interval` seconds per label (and
    always the last)."""

    def __init__(self, stream: TextIO | None = None, interval: float = 1.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def note(self, text: str) -> None:
        self._line(text)

    def rows(self, label: str, done: int, total: int, elapsed: float) -> None:
        now = time.monotonic()
        with self._lock:
            if done < total and now - self._last.get(label, 0.0) < self.interval:
                return
            self._last[label] = now
        rate = done / elapsed if elapsed > 0 else 0.0
        self._line(f"{label}: wrote {done}/{total} rows ({rate:,.0f} rows/s)")

    def _line(self, text: str) -> None:
        with self._lock:  # print() writes the text and the newline separately
            self.stream.write(text + "\n")
            self.stream.flush()
