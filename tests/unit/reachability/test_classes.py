"""Candidates, signatures and decision classes (candidates.py, signatures.py, classes.py) on plain profiles:
which principals must get one decision, and which must not."""

from __future__ import annotations

from service.reachability.candidates import ActionPolicies
from service.reachability.classes import DecisionClass, classify
from service.reachability.profiles import AccountEntry
from service.reachability.signatures import Signatures
from service.reachability.snapshot import AccountSnapshot
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, deny, run

A, B, C = "111122223333", "444455556666", "777788889999"


def _entries(*accounts: FakeAccount, organization: FakeOrganization | None = None) -> dict[str, AccountEntry]:
    async def read() -> dict[str, AccountEntry]:
        source, snapshot = FakeSource(*accounts, organization=organization), AccountSnapshot()
        return (await snapshot.accounts(source, await snapshot.generation(source))).entries

    return run(read())


def _classes(action: str, resource: str, *accounts: FakeAccount, **options: bool) -> list[DecisionClass]:
    entries = _entries(*accounts)
    signatures = Signatures(ActionPolicies(action.lower()))
    return classify(signatures, signatures.classes(entries.values()), resource, **options)  # type: ignore[arg-type]


def _members(classes: list[DecisionClass]) -> list[list[str]]:
    return sorted([entry.profile.name for entry in c.entries()] for c in classes)


def test_a_policy_matches_an_action_by_its_statements_and_an_unloaded_one_may_allow_anything() -> None:
    a = FakeAccount(A)
    a.user("u", [a.policy("DenyOnly", deny("s3:*")), a.policy("Other", allow("ec2:*")), a.missing_policy("Gone")])
    profile = next(iter(_entries(a)[A].profiles.values()))
    policies = ActionPolicies("s3:getobject")
    matches = [policies.match(ref) for ref in profile.policies]
    assert [(m.admits, m.allows) for m in matches] == [(True, False), (False, False), (False, True)]


def test_candidates_hold_a_policy_that_may_allow_in_arn_order() -> None:
    a = FakeAccount(A)
    readers = a.policy("Readers", allow("s3:GetObject"))
    a.user("zed", [readers])
    a.user("amy", groups=[a.group("team", [readers])])
    a.user("denied", [a.policy("No", deny("s3:*"))])
    a.user("unknown", [a.missing_policy("Gone")])
    found = ActionPolicies("s3:getobject").candidates(_entries(a)[A])
    assert [p.name for p in found] == ["amy", "unknown", "zed"]


def test_equal_statement_content_in_two_policies_gets_one_number() -> None:
    a = FakeAccount(A)
    a.user("u", [a.policy("One", allow("s3:GetObject", "arn:aws:s3:::x/*")), a.policy("Two", allow("s3:*"))])
    one, two = next(iter(_entries(a)[A].profiles.values())).policies
    policies = ActionPolicies("s3:getobject")
    assert policies.statements(one)[0].content == policies.statements(two)[0].content


def test_principals_alike_but_for_names_share_a_signature_class_and_a_decision_class() -> None:
    a = FakeAccount(A)
    for name in ("ann", "ben"):
        a.user(name, [a.policy(f"{name}-policy", allow("s3:GetObject"))])
    entries = _entries(a)
    signatures = Signatures(ActionPolicies("s3:getobject"))
    assert [sorted(c.arns) for c in signatures.classes(entries.values())] == [sorted(entries[A].profiles)]
    assert _members(_classes("s3:GetObject", "*", a)) == [["ann", "ben"]]


def test_a_principal_tag_condition_splits_by_its_result_not_by_principal() -> None:
    a = FakeAccount(A)
    red = a.policy("Red", allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))
    for name, team in (("r1", "red"), ("r2", "red"), ("b1", "blue"), ("b2", "green")):
        a.user(name, [red], tags={"team": team})
    assert _members(_classes("s3:GetObject", "*", a)) == [["b1", "b2"], ["r1", "r2"]]


def test_a_policy_variable_in_a_condition_value_makes_individuals() -> None:
    a = FakeAccount(A)
    own = a.policy("Own", allow("s3:GetObject", Condition={"StringEquals": {"s3:prefix": "${aws:username}"}}))
    for name in ("ann", "ben"):
        a.user(name, [own])
    classes = _classes("s3:GetObject", "*", a)
    assert _members(classes) == [["ann"], ["ben"]]
    assert all(c.key.individual == c.representative.profile.arn for c in classes)


def test_a_variable_resource_splits_only_where_it_could_match() -> None:
    a = FakeAccount(A)
    home = a.policy("Home", allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    for name in ("ann", "ben"):
        a.user(name, [home, a.policy(f"{name}-all", allow("s3:GetObject", "arn:aws:s3:::public/*"))])
    assert _members(_classes("s3:GetObject", "arn:aws:s3:::home/ann/x", a)) == [["ann"], ["ben"]]
    assert _members(_classes("s3:GetObject", "arn:aws:s3:::public/x", a)) == [["ann", "ben"]]


def test_a_statement_that_cannot_fit_the_resource_adds_nothing_to_the_key() -> None:
    a = FakeAccount(A)
    everything = a.policy("All", allow("s3:GetObject"))
    a.user("plain", [everything])
    a.user("extra", [everything, a.policy("Other", deny("s3:GetObject", "arn:aws:s3:::other/*"))])
    assert _members(_classes("s3:GetObject", "arn:aws:s3:::mine/x", a)) == [["extra", "plain"]]
    assert _members(_classes("s3:GetObject", "arn:aws:s3:::other/x", a)) == [["extra"], ["plain"]]


def test_a_boundary_counts_by_what_it_says_about_the_action_not_by_its_arn() -> None:
    a = FakeAccount(A)
    admin = a.policy("Admin", allow("*"))
    one = a.policy("BoundaryOne", allow("s3:*"), deny("iam:CreateUser", f"arn:aws:iam::{A}:user/one"))
    two = a.policy("BoundaryTwo", allow("s3:*"), deny("iam:CreateUser", f"arn:aws:iam::{A}:user/two"))
    narrower = a.policy("BoundaryThree", allow("s3:List*"))
    a.user("u1", [admin], boundary=one)
    a.user("u2", [admin], boundary=two)
    a.user("u3", [admin], boundary=narrower)
    assert _members(_classes("s3:GetObject", "*", a)) == [["u1", "u2"], ["u3"]]


def test_accounts_share_classes_by_organization_place_unless_asked_by_account() -> None:
    accounts = [FakeAccount(account) for account in (A, B, C)]
    for account in accounts:
        account.user("admin", [account.policy("Admin", allow("*"))])
    org = FakeOrganization(
        "o-test", "999999999999", accounts={A: ["r-root", "ou"], B: ["r-root", "ou"], C: ["r-root", C]}
    )
    org.attach("r-root", "full", allow("*"))
    org.attach("ou", "full-ou", allow("*"))
    org.attach(C, "full-c", allow("*"))
    entries = _entries(*accounts, organization=org)
    signatures = Signatures(ActionPolicies("s3:getobject"))
    classes = signatures.classes(entries.values())
    by_place = classify(signatures, classes, "*", by_account=False)
    assert sorted(c.size for c in by_place) == [1, 2]
    assert len(classify(signatures, classes, "*")) == 3


def test_leave_out_removes_principals_and_the_representative_is_the_least_arn() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    for account in (a, b):
        for name in ("zed", "amy", "kim"):
            account.user(name, [account.policy(f"{name}-p", allow("s3:GetObject"))])
    left_out = frozenset({a.arn("user", "amy")})
    (only,) = _classes("s3:GetObject", "*", a, b, by_account=False, leave_out=left_out)  # type: ignore[arg-type]
    arns = [entry.arn for entry in only.entries()]
    assert arns == sorted(arns) and a.arn("user", "amy") not in arns and len(arns) == 5
    assert only.representative.profile.arn == a.arn("user", "kim") == arns[0]


def test_members_with_unloaded_policies_are_counted_apart() -> None:
    a = FakeAccount(A)
    readers = a.policy("Readers", allow("s3:GetObject"))
    a.user("sure", [readers])
    a.user("unsure", [readers, a.policy("No", deny("ec2:*")), a.missing_policy("Gone")])
    classes = _classes("s3:GetObject", "*", a)
    assert sum(c.unknown for c in classes) == 1
    assert [e.profile.name for c in classes for e in c.entries(unknown_only=True)] == ["unsure"]
