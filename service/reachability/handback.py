"""Handing the event loop back during long work that never waits on anything.

A question whose data is all in memory runs from one await to the next without the loop getting control:
for as long as it runs, the API answers nothing else and its question timeout (an `asyncio.timeout`, which
only cancels at a suspension) cannot stop it. Work that may run for seconds calls a `HandBack` as it goes."""

from __future__ import annotations

import asyncio
import time


class HandBack:
    """`await hand_back()` suspends (`asyncio.sleep(0)`) the first time, then when `seconds` have passed since
    it last did, and costs a clock read otherwise. (Once per step cost a tenth of a second in an escalation
    walk of 4,000 principals.)"""

    __slots__ = ("_last", "seconds")

    def __init__(self, seconds: float = 0.005) -> None:
        self.seconds = seconds
        self._last = float("-inf")

    async def __call__(self) -> None:
        if (now := time.monotonic()) >= self._last + self.seconds:
            await asyncio.sleep(0)
            self._last = now
