"""Questions on resource patterns (issue #15 item 6): whoCan and access on a resource with `*` or `?` ask
whether a principal may act on *some* resource the pattern matches. An Allow counts when its Resource can meet
the pattern, a Deny only when it covers the whole pattern."""

from __future__ import annotations

import pytest

from service.errors import QueryError
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, deny, run, trusting

A = "111122223333"
GET = "s3:GetObject"
LOGS = "arn:aws:s3:::logs/*"
AWS_LOGS = "arn:aws:s3:::logs/AWSLogs/*"


def _source() -> FakeSource:
    account = FakeAccount(A)
    account.user("only-awslogs", [account.policy("awslogs", allow(GET, AWS_LOGS))])
    account.user("other-bucket", [account.policy("other", allow(GET, "arn:aws:s3:::other/*"))])
    account.user("everything", [account.policy("all", allow(GET))])
    account.user("denied-awslogs", [account.policy("all-but-awslogs", allow(GET), deny(GET, AWS_LOGS))])
    account.user("denied-logs", [account.policy("all-but-logs", allow(GET), deny(GET, LOGS))])
    account.user("not-logs", [account.policy("not-logs", {"Effect": "Allow", "Action": GET, "NotResource": LOGS})])
    account.user(
        "not-denied-outside-logs",
        [account.policy("deny-outside-logs", allow(GET), {"Effect": "Deny", "Action": GET, "NotResource": LOGS})],
    )
    assumer = account.user("assumer", [account.policy("assume", allow("sts:AssumeRole"))])
    account.role("reader", [account.policy("reader", allow(GET, AWS_LOGS))], trust=trusting({"AWS": assumer}))
    return FakeSource(account)


def _names(accesses: object) -> set[str]:
    return {access.principal.name for access in accesses}  # type: ignore[attr-defined]


async def _who_can(resource: str, max_hops: int = 0) -> set[str]:
    return _names(await Reachability(_source(), PrincipalIndex()).who_can(GET, resource, max_hops, A))


async def _access(resource: str) -> set[str]:
    reachability = Reachability(_source(), PrincipalIndex())
    allowed = set()
    for entry in (await reachability.view.entries()).values():
        for arn, profile in entry.profiles.items():
            decision = (await reachability.access(arn, GET, resource, A)).decision
            assert decision.resource_pattern == ("*" in resource or "?" in resource)
            if decision.decision == "Allowed":
                allowed.add(profile.name)
    return allowed


PATTERN_ANSWERS = {
    # An Allow on a narrower pattern meets the question's; a Deny on one does not cover it, a Deny on the
    # whole pattern does; an Allow whose NotResource covers the pattern leaves no resource of it.
    LOGS: {"only-awslogs", "everything", "denied-awslogs", "not-denied-outside-logs", "reader"},
    "*": {
        "only-awslogs",
        "other-bucket",
        "everything",
        "denied-awslogs",
        "denied-logs",
        "not-logs",
        "not-denied-outside-logs",  # its NotResource meets `*`: the Deny does not cover it
        "reader",
    },
    "arn:aws:s3:::logs/AWSLogs/?/x": {"only-awslogs", "everything", "not-denied-outside-logs", "reader"},
    # A resource with neither `*` nor `?` is one resource, as before.
    "arn:aws:s3:::logs/AWSLogs/x": {"only-awslogs", "everything", "not-denied-outside-logs", "reader"},
    "arn:aws:s3:::logs/x": {"everything", "denied-awslogs", "not-denied-outside-logs"},
}


@pytest.mark.parametrize("resource", PATTERN_ANSWERS)
def test_who_can_on_a_pattern(resource: str) -> None:
    assert run(_who_can(resource)) == PATTERN_ANSWERS[resource]


@pytest.mark.parametrize("resource", PATTERN_ANSWERS)
def test_access_decides_as_who_can(resource: str) -> None:
    assert run(_access(resource)) == PATTERN_ANSWERS[resource]


def test_answers_say_they_are_about_a_pattern() -> None:
    async def ask(resource: str, max_hops: int) -> list[tuple[str, ...]]:
        return [a.notes for a in await Reachability(_source(), PrincipalIndex()).who_can(GET, resource, max_hops, A)]

    for max_hops in (0, 1):
        notes = run(ask(LOGS, max_hops))
        assert notes and all(any(f"matching the pattern {LOGS}" in n for n in found) for found in notes)
    assert not any(note for found in run(ask("arn:aws:s3:::logs/x", 0)) for note in found)


def test_a_role_chain_reaches_a_pattern() -> None:
    assert run(_who_can(LOGS, max_hops=1)) == PATTERN_ANSWERS[LOGS] | {"assumer"}


def test_who_can_assume_refuses_a_pattern_of_roles() -> None:
    reachability = Reachability(_source(), PrincipalIndex())
    with pytest.raises(QueryError, match=r"one role ARN, not the pattern 'arn:aws:iam::111122223333:role/\*'"):
        run(reachability.who_can_assume(f"arn:aws:iam::{A}:role/*"))
