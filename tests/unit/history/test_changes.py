"""Fact differences: statement identity is content, and an unchanged entity reports nothing."""

from __future__ import annotations

import copy
import json

from service.history.changes import fact_changes, statement_changes
from service.history.facts import Fact
from tests.support.gaad import Account, allow, trust, trusts
from tests.unit.history.worlds import world

A = "111111111111"


def doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_a_statement_moved_within_the_document_is_no_change() -> None:
    one, two = allow("s3:GetObject"), allow("sqs:SendMessage")
    assert statement_changes(doc(one, two), doc(two, one)) == ()
    # Key order and a single statement written as an object do not matter either.
    single = json.dumps({"Statement": {"Resource": "*", "Action": "s3:GetObject", "Effect": "Allow"}})
    assert statement_changes(doc(one), single) == ()


def test_statements_added_removed_and_changed() -> None:
    before = doc(allow("s3:GetObject", Sid="Read"), allow("sqs:SendMessage"), trusts({"AWS": "1"}))
    after = doc(
        allow("s3:GetObject", "arn:aws:s3:::b/*", Sid="Read"), allow("sns:Publish"), trusts({"AWS": ["1", "2"]})
    )
    found = {(c.change, c.sid, c.before is not None, c.after is not None) for c in statement_changes(before, after)}
    assert found == {
        ("changed", "Read", True, True),  # same Sid
        ("changed", None, True, True),  # same Effect and Action, no Sid: the trust statement gained a principal
        ("removed", None, True, False),
        ("added", None, False, True),
    }
    # Duplicates count: a second copy of a statement is a statement added.
    assert [c.change for c in statement_changes(doc(allow("a:b")), doc(allow("a:b"), allow("a:b")))] == ["added"]


def test_fact_hash_is_content() -> None:
    assert Fact.of("user", "x", {"a": 1, "b": 2}).hash == Fact.of("user", "x", {"b": 2, "a": 1}).hash
    assert Fact.of("user", "x", {"a": 1}).hash != Fact.of("role", "x", {"a": 1}).hash


def account() -> Account:
    a = Account(A)
    managed = a.aws_policy("ReadOnlyAccess", allow("s3:Get*"))
    a.group("Admins", managed=[managed])
    a.user("alice", groups=["Admins"])
    a.role("R", trust(trusts({"AWS": A})))
    return a


def test_the_same_account_twice_has_no_changes() -> None:
    assert fact_changes(world(account()), world(account(), load="load-2")).empty


def test_attaching_an_aws_managed_policy_is_an_attachment_not_a_policy_added() -> None:
    after = copy.deepcopy(account())
    after.aws_policy("IAMReadOnlyAccess", allow("iam:Get*"))
    user = after.users[0]
    user["AttachedManagedPolicies"] = [
        {"PolicyName": "IAMReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}
    ]
    found = fact_changes(world(account()), world(after))
    assert found.entities == ()
    assert [(x.kind, x.source, x.target, x.change) for x in found.attachments] == [
        ("policy", f"arn:aws:iam::{A}:user/alice", "arn:aws:iam::aws:policy/IAMReadOnlyAccess", "added")
    ]
