"""Questions whose data is all in memory must hand the event loop back as they go, or the API's question
timeout (an `asyncio.timeout`, which cancels only at a suspension) cannot stop them and nothing else is
answered meanwhile. Found by these probes: at 100k principals `escalations` of one user held the loop for
54 s at a time (and ran over 10 minutes); `changes` with access, for as long as it ran
(test_api_history.py). Later, by bench/bench_loop_holds.py --where at 100k: `whoCan(escalation: true)` of an
S3 object held it 13 s (every account's signature classes, the direct answers and the gains, made at once),
`admins(escalation: true)` of every account 6 s (every principal asked whether a change makes it an
administrator), `escalations` still 5.7 s (most of it the collector at its default thresholds, which the
API does not run with; it now makes only the principal's own answer among a role's 25,000 direct assumers:
test_questions_escalation.py), `externalAccess` of every account 1.1 s (its findings made at once)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from service.reachability import trusts
from service.reachability.escalation.graph import EscalationGraph
from service.reachability.questions import Reachability
from service.reachability.signatures import Signatures
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
    direct_parts = Assumers.direct_parts

    async def slow(self: Assumers, role_arn: str) -> Any:
        time.sleep(SECONDS_A_ROLE)
        return await direct_parts(self, role_arn)

    async def ask(timeout: float) -> Any:
        reachability = Reachability(source)
        await reachability.view.entries(None)  # (read first: the timeout is about the work, not the reads)
        return await asyncio.wait_for(reachability.escalations(visitor, max_hops=1), timeout)

    monkeypatch.setattr(Assumers, "direct_parts", slow)
    # 8 roles, 1.6 s of work: stopped at 0.5 s, at the next role.
    with pytest.raises(TimeoutError):
        run(ask(0.5))
    # Given the time, the same question answers: every role trusts anyone.
    assert len(run(ask(30.0))) == 8


def _stopped_at(ask: Any, timeout: float) -> float:
    """Seconds until the question was stopped by its timeout (it must be)."""
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        run(ask(timeout))
    return time.perf_counter() - started


def test_who_can_with_escalation_stops_at_the_question_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """An object of no account is asked about in every account: each account's signature classes are
    worked out in turn, handing the loop back between them."""
    accounts = [FakeAccount(f"{100000000000 + number}") for number in range(8)]
    for account in accounts:
        account.user("reader", [account.policy("Read", allow("s3:GetObject"))])
    source = FakeSource(*accounts)
    classes = Signatures.classes

    def slow(self: Signatures, entries: Any, **kwargs: Any) -> Any:
        entries = list(entries)
        time.sleep(SECONDS_A_ROLE * len(entries))
        return classes(self, entries, **kwargs)

    async def ask(timeout: float) -> Any:
        reachability = Reachability(source)
        await reachability.view.entries(None)
        return await asyncio.wait_for(
            reachability.who_can("s3:GetObject", "arn:aws:s3:::b/k", 2, None, escalation=True), timeout
        )

    assert len(run(ask(30.0))) == 8
    monkeypatch.setattr(Signatures, "classes", slow)
    # 8 accounts, 1.6 s of work: stopped at 0.5 s, at the next account (before: it ran to its end).
    assert _stopped_at(ask, 0.5) < 1.2


def test_admins_with_escalation_stop_at_the_question_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every principal of an account holding one that may change policies is asked whether a change makes it
    an administrator: the loop is handed back between them."""
    a = FakeAccount(A)
    a.user("changer", [a.policy("Change", allow("iam:PutUserPolicy"))])
    for number in range(10):
        a.user(f"user-{number}")
    source = FakeSource(a)
    making_admin = EscalationGraph.making_admin

    async def slow(self: EscalationGraph, *args: Any, **kwargs: Any) -> Any:
        time.sleep(SECONDS_A_ROLE)
        return await making_admin(self, *args, **kwargs)

    async def ask(timeout: float) -> Any:
        reachability = Reachability(source)
        await reachability.view.entries(None)
        return await asyncio.wait_for(reachability.admins(A, escalation=True, max_hops=1), timeout)

    assert "changer" in {access.principal.name for access in run(ask(30.0))}
    monkeypatch.setattr(EscalationGraph, "making_admin", slow)
    # 11 principals, 2.2 s of work: stopped at 0.5 s, at the next principal (before: it ran to its end).
    assert _stopped_at(ask, 0.5) < 1.2


def test_the_trust_and_external_access_reviews_stop_at_the_question_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every trust statement of every account is made a finding in turn, handing the loop back between them."""
    b = FakeAccount(B)
    for number in range(8):
        b.role(f"partner-{number}", trust=trusting({"AWS": f"arn:aws:iam::{200000000000 + number}:root"}))
    source = FakeSource(b)
    finding = trusts._finding

    def slow(*args: Any) -> Any:
        time.sleep(SECONDS_A_ROLE)
        return finding(*args)

    def ask(question: str) -> Any:
        async def asked(timeout: float) -> Any:
            reachability = Reachability(source)
            await reachability.view.entries(None)
            return await asyncio.wait_for(getattr(reachability, question)(None), timeout)

        return asked

    assert len(run(ask("cross_account_trusts")(30.0))) == 8
    assert len(run(ask("external_access")(30.0))) == 8
    monkeypatch.setattr(trusts, "_finding", slow)
    # 8 statements, 1.6 s of work: stopped at 0.5 s, at the next statement (before: they ran to their end).
    assert _stopped_at(ask("cross_account_trusts"), 0.5) < 1.2
    assert _stopped_at(ask("external_access"), 0.5) < 1.2
