"""Questions whose data is all in memory must hand the event loop back as they go, or the API's question
timeout (an `asyncio.timeout`, which cancels only at a suspension) cannot stop them and nothing else is
answered meanwhile. Found by these probes: at 100k principals `escalations` of one user held the loop for
54 s at a time (and ran over 10 minutes); `changes` with access, for as long as it ran
(test_api_history.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from service.reachability.questions import Reachability
from service.reachability.who_can_assume import Assumers
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, run, trusting

A, B = "111122223333", "444455556666"
SECONDS_A_ROLE = 0.2  # (working out one role's direct assumers never waits: at 100k, up to seconds)


def _organization() -> tuple[FakeSource, str]:
    a, b = FakeAccount(A), FakeAccount(B)
    visitor = b.user("visitor", [b.policy("Go", allow("sts:AssumeRole"))])
    for number in range(8):
        a.role(f"open-{number}", [a.policy(f"P{number}", allow("s3:GetObject"))], trust=trusting({"AWS": "*"}))
    return FakeSource(a, b), visitor


def test_escalations_stop_at_the_question_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    source, visitor = _organization()
    direct = Assumers.direct

    async def slow(self: Assumers, role_arn: str) -> Any:
        time.sleep(SECONDS_A_ROLE)
        return await direct(self, role_arn)

    async def ask(timeout: float) -> Any:
        reachability = Reachability(source)
        await reachability.view.entries(None)  # (read first: the timeout is about the work, not the reads)
        return await asyncio.wait_for(reachability.escalations(visitor, max_hops=1), timeout)

    monkeypatch.setattr(Assumers, "direct", slow)
    # 8 roles, 1.6 s of work: stopped at 0.5 s, at the next role.
    with pytest.raises(TimeoutError):
        run(ask(0.5))
    # Given the time, the same question answers: every role trusts anyone.
    assert len(run(ask(30.0))) == 8
