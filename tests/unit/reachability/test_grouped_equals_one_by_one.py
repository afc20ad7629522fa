"""The exactness of decision classes as a property: for random synthetic accounts, every answer made by
deciding once per class (and keeping decisions across roles) equals the answer made by deciding each
principal on its own: same principals, same condition tests, same paths. The unit-level twin of
tests/integration/api/test_shared_decisions.py, on a `FakeSource`."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.evaluation.formula import leaves
from service.reachability.decide import access_from
from service.reachability.index import PrincipalIndex
from service.reachability.paths import assume_paths, identity_paths
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, run, trusting

A, B = "111122223333", "444455556666"
ORG = "o-test"
ACTIONS = ["s3:GetObject", "s3:PutObject", "sts:AssumeRole"]
RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/logs/*",
    "arn:aws:s3:::home/${aws:username}/*",
    "arn:aws:iam::*:role/org-*",
]
CONDITIONS: list[dict[str, Any] | None] = [
    None,
    {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringEquals": {"aws:PrincipalTag/team": "red"}},
    {"StringEquals": {"aws:PrincipalAccount": A}},
    {"StringEquals": {"aws:ResourceAccount": A}},
    {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/u1*"}},
]
QUESTIONS = [
    ("s3:GetObject", "arn:aws:s3:::bucket/key"),
    ("s3:PutObject", "arn:aws:s3:::home/u1/notes.txt"),
    ("s3:GetObject", f"arn:aws:s3:us-east-1:{A}:thing/x"),
    # Patterns: questions about some resource they match (an Allow meets, a Deny covers).
    ("s3:GetObject", "arn:aws:s3:::bucket/*"),
    ("s3:PutObject", "arn:aws:s3:::home/*"),
    ("s3:GetObject", "*"),
]
TRUSTS: dict[str, dict[str, Any]] = {
    "org-wide": trusting({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}),
    "org-wide-mfa": trusting(
        {"AWS": "*"},
        Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}, "Bool": {"aws:MultiFactorAuthPresent": "true"}},
    ),
    "via-account": trusting({"AWS": f"arn:aws:iam::{A}:root"}),
}

statements = st.builds(
    lambda effect, action, resource, condition: {
        "Effect": effect,
        "Action": action,
        "Resource": resource,
        **({"Condition": condition} if condition else {}),
    },
    st.sampled_from(["Allow", "Allow", "Allow", "Deny"]),
    st.sampled_from(ACTIONS),
    st.sampled_from(RESOURCES),
    st.sampled_from(CONDITIONS),
)
principals = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["user", "user", "role"]),
            "policies": st.lists(st.integers(0, 5), max_size=3),
            "group": st.booleans(),
            "boundary": st.booleans(),
            "missing": st.integers(0, 6),
            "team": st.sampled_from(["red", "blue", None]),
        }
    ),
    min_size=1,
    max_size=7,
)
accounts = st.fixed_dictionaries(
    {
        "policies": st.lists(st.lists(statements, min_size=1, max_size=3), min_size=6, max_size=6),
        "boundary": st.lists(statements, min_size=1, max_size=2),
        "principals": principals,
        "second_account": st.booleans(),
        "scp_deny": st.sampled_from([None, "s3:PutObject", "sts:AssumeRole"]),
    }
)


def _build(spec: dict[str, Any]) -> FakeSource:
    ids = [A, B] if spec["second_account"] else [A]
    built = []
    for account_id in ids:
        account = FakeAccount(account_id)
        policies = [account.policy(f"p{i}", *body) for i, body in enumerate(spec["policies"])]
        boundary = account.policy("boundary", *spec["boundary"])
        group = account.group("team", policies[:1])
        for i, p in enumerate(spec["principals"]):
            held = [policies[n] for n in p["policies"]]
            if p["missing"] == 0:
                held.append(account.missing_policy("Gone"))
            tags = {"team": p["team"]} if p["team"] else {}
            name = f"u{i}"
            if p["kind"] == "user":
                groups = [group] if p["group"] else []
                account.user(name, held, groups=groups, boundary=boundary if p["boundary"] else None, tags=tags)
            else:
                account.role(name, held, boundary=boundary if p["boundary"] else None, tags=tags)
        for name, trust in TRUSTS.items():
            account.role(f"org-{name}" if name.startswith("org") else name, trust=trust)
        built.append(account)
    org = FakeOrganization(ORG, "999999999999", accounts={a: ["r-root", a] for a in ids})
    for level in ("r-root", *ids):
        org.attach(level, "full", {"Effect": "Allow", "Action": "*", "Resource": "*"})
    if spec["scp_deny"]:
        org.attach(ids[-1], "guard", {"Effect": "Deny", "Action": spec["scp_deny"], "Resource": "*"})
    return FakeSource(*built, organization=org)


def _view(condition: Any, paths: Any) -> tuple[Any, ...]:
    tests = frozenset(
        (
            leaf.key,
            leaf.operator,
            leaf.values,
            leaf.negated,
            leaf.test.policy if leaf.test.policy_type == "resource" else "",
        )
        for leaf in leaves(condition)
    )
    steps = sorted(tuple((s.source.arn, s.target.arn, s.kind, s.via, s.statement) for s in path) for path in paths)
    return condition is None, tests, tuple(steps)


async def _compare(source: FakeSource) -> int:
    index, alone = PrincipalIndex(), Reachability(source, PrincipalIndex())
    entries = await alone.view.entries()
    profiles = [profile for entry in entries.values() for profile in entry.profiles.values()]
    compared = 0
    for action, resource in QUESTIONS:
        grouped = await Reachability(source, index).who_can(action, resource)
        got = {a.principal.arn: _view(a.condition, a.paths) for a in grouped}
        expected = {}
        home = (resource.split(":")[4] or None) if resource.startswith("arn:") else None
        for profile in profiles:
            if home and profile.account_id != home:
                continue
            decision = (await alone.access(profile.arn, action, resource)).decision
            if (answer := access_from(profile, decision)) is not None:
                expected[profile.arn] = _view(answer.condition, identity_paths(profile, decision))
        assert got == expected, (action, resource)
        compared += len(expected)
    # Every account's copy of every role, on one index: decisions kept from one serve the next.
    names = {f"org-{name}" if name.startswith("org") else name for name in TRUSTS}
    for role_arn in sorted(arn for entry in entries.values() for arn in entry.profiles if arn.rsplit("/")[-1] in names):
        role = await alone.view.role(role_arn)
        assert role is not None
        grouped = await Reachability(source, index).who_can_assume(role_arn)
        loaded = {profile.arn for profile in profiles}
        got = {a.principal.arn: _view(a.condition, a.paths) for a in grouped if a.principal.arn in loaded}
        expected = {}
        # The trust policies admit account A (whoCanAssume reads only the accounts a trust policy names) or anyone.
        admitted = None if "/org-" in role_arn else A
        for profile in profiles:
            if profile.arn == role_arn or admitted not in (None, profile.account_id):
                continue
            decision = (await alone.access(profile.arn, "sts:AssumeRole", role_arn)).decision
            if (answer := access_from(profile, decision)) is not None:
                identity = identity_paths(profile, decision)
                paths = assume_paths(profile.ref, identity, role.ref, role.trust_document, decision)
                expected[profile.arn] = _view(answer.condition, paths)
        assert got == expected, role_arn
        compared += len(expected)
    return compared


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(accounts)
def test_grouped_answers_equal_answers_decided_principal_by_principal(spec: dict[str, Any]) -> None:
    run(_compare(_build(spec)))
