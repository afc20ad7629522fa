"""Principals that hold the same policies read the same condition, whichever of them their decision class was
decided for: the class's member tells two statements of the same content as one, and so does the text of
the principal it was decided for (a deleted representative used to change its class's text in `diff`)."""

from __future__ import annotations

from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, run, trusting

A = "111122223333"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_the_members_of_a_class_read_one_condition() -> None:
    a = FakeAccount(A)
    twice = a.policy("Twice", allow("sts:AssumeRole", Condition=MFA), allow("sts:*", Condition=MFA))
    for name in ("amy", "ben", "cat"):
        a.user(name, [twice])
    target = a.role("Target", trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    answers = run(Reachability(FakeSource(a), PrincipalIndex()).who_can_assume(target))
    texts = {x.principal.arn: x.condition_text for x in answers}
    assert set(texts) == {a.arn("user", name) for name in ("amy", "ben", "cat")}
    assert set(texts.values()) == {'aws:MultiFactorAuthPresent Bool "true"'}
