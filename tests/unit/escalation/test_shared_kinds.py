"""A technique's decisions shared across accounts (grants.who_may): a decision class whose key another
account's class has decides alike, so only the kind is shared; each account's answers are still made of its
own decision, naming its own policies."""

from __future__ import annotations

from typing import Any

from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, run, trusting

A, B = "111111111111", "222222222222"


def _account(account_id: str) -> tuple[FakeAccount, str, str]:
    account = FakeAccount(account_id)
    passer = account.policy(
        "passer",
        allow("iam:PassRole", "*", Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
    )
    developer = account.user("dev", [passer])
    role = account.role("app", trust=trusting({"Service": "lambda.amazonaws.com"}))
    return account, developer, role


def _made(answers: list[Access]) -> list[Any]:
    return sorted(
        (repr(a.principal), repr(a.condition), repr([tuple(p) for p in a.paths]), a.notes) for a in answers
    )


def test_an_account_deciding_like_another_answers_as_it_would_alone() -> None:
    a, developer_a, role_a = _account(A)
    b, developer_b, role_b = _account(B)
    asked = Reachability(FakeSource(a, b))
    first = list(run(asked.escalations(developer_a, max_hops=1)))
    shared = list(run(asked.escalations(developer_b, max_hops=1)))
    assert asked.view.action("lambda:createfunction").kinds, "no decision kind was kept to share"
    b_again, developer_b_again, _ = _account(B)
    alone = list(run(Reachability(FakeSource(a, b_again)).escalations(developer_b_again, max_hops=1)))
    assert role_a in {x.principal.arn for x in first}
    assert role_b in {x.principal.arn for x in shared}
    assert _made(shared) == _made(alone)
    # (the shared answers' paths name account B's principals and policies, never account A's)
    text = " ".join(repr([tuple(p) for p in x.paths]) for x in shared)
    assert B in text and A not in text
