"""Every role's direct assumers worked out at once (edges.py) are the ones `Assumers.direct_parts` works out
role by role, whatever decides them: identity policies and their Resource patterns, groups, boundaries, SCPs,
RCPs, trust policies that admit an account, anyone, the organization, principals by ARN or by a condition on
aws:PrincipalArn, services and accounts outside the loaded data, Denies, conditions, unloaded policies, and
policy variables."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.reachability.edges import AssumeEdges, assume_edges, from_indices, indices
from service.reachability.index import PrincipalIndex
from service.reachability.who_can_assume import Assumers
from tests.unit.reachability.fake_source import (
    FakeAccount,
    FakeOrganization,
    FakeSource,
    allow,
    deny,
    run,
    trusting,
)

A, B, C, OUTSIDE = "111111111111", "222222222222", "333333333333", "444444444444"
ORG = "o-edges00001"
ASSUME = "sts:AssumeRole"


def _organization() -> FakeSource:
    a, b, c = FakeAccount(A), FakeAccount(B), FakeAccount(C)
    # Callers: what their own side allows.
    for account in (a, b, c):
        anywhere = account.policy("anywhere", allow(ASSUME))
        apps = account.policy("apps", allow(ASSUME, [f"arn:aws:iam::{B}:role/app-*", f"arn:aws:iam::{C}:role/app-*"]))
        not_admin = account.policy(
            "not-admin", {"Effect": "Allow", "Action": ASSUME, "NotResource": "arn:aws:iam::*:role/*admin*"}
        )
        with_mfa = account.policy(
            "with-mfa", allow(ASSUME, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        )
        no_shared = account.policy("no-shared", deny(ASSUME, "arn:aws:iam::*:role/shared-*"))
        own_name = account.policy("own-name", allow(ASSUME, "arn:aws:iam::*:role/${aws:username}-*"))
        fence = account.policy("fence", allow(ASSUME, f"arn:aws:iam::{B}:*"))
        team = account.group("team", [apps])
        account.user("anyone-user", [anywhere])
        account.user("apps-user", groups=[team])
        account.user("not-admin-user", [not_admin])
        account.user("mfa-user", [with_mfa])
        account.user("denied-user", [anywhere, no_shared])
        account.user("fenced-user", [anywhere], boundary=fence)
        account.user("app", [own_name])
        account.user("unloaded-user", [account.missing_policy("gone"), apps])
        account.user("nothing-user")
        account.role("runner", [anywhere])
        account.role("billing-ops", [anywhere])
    # Roles: what their trust policy admits.
    b.role("app-web", trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    b.role("app-admin", trust=trusting({"AWS": [f"arn:aws:iam::{A}:root", f"arn:aws:iam::{C}:root"]}))
    b.role("shared-read", trust=trusting({"AWS": "*"}))
    b.role("org-read", trust=trusting({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}))
    b.role(
        "billing-xacct",
        trust=trusting(
            {"AWS": f"arn:aws:iam::{A}:root"},
            Condition={"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/billing-*"}},
        ),
    )
    b.role(
        "named-too",
        trust={
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{A}:root", f"arn:aws:iam::{A}:user/mfa-user"]},
            "Action": ASSUME,
        },
    )
    b.role("named-only", trust=trusting({"AWS": f"arn:aws:iam::{C}:user/anyone-user"}))
    b.role("own-account", trust=trusting({"AWS": f"arn:aws:iam::{B}:root"}))
    b.role(
        "idle-users",
        trust=trusting({"AWS": "*"}, Condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/nothing-*"}}),
    )
    b.role("outside", trust=trusting({"AWS": f"arn:aws:iam::{OUTSIDE}:root"}))
    b.role(
        "external-id",
        trust=trusting({"AWS": f"arn:aws:iam::{C}:root"}, Condition={"StringEquals": {"sts:ExternalId": "x"}}),
    )
    b.role("ec2-runner", trust=trusting({"Service": "ec2.amazonaws.com"}))
    c.role("app-api", trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}))
    c.role("no-deny-list", trust=trusting({"AWS": "*"}))
    c.role(
        "but-not-runner",
        trust={"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": ASSUME},
    )
    c.trust_policies[c.arn("role", "but-not-runner")] = (
        '{"Version":"2012-10-17","Statement":['
        f'{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"sts:AssumeRole"}},'
        f'{{"Effect":"Deny","Principal":{{"AWS":"arn:aws:iam::{A}:role/runner"}},"Action":"sts:AssumeRole"}}]}}'
    )
    c.role(
        "tagged",
        trust=trusting({"AWS": f"arn:aws:iam::{A}:root"}, Condition={"StringEquals": {"aws:ResourceTag/team": "x"}}),
    )
    organization = FakeOrganization(ORG, C, accounts={A: ["r-root", "ou-a", A], B: ["r-root", B], C: ["r-root", C]})
    for level in ("r-root", "ou-a", A, B, C):
        organization.attach(level, f"everything-{level}", allow("*"))
    organization.attach("ou-a", "no-admin-roles", deny(ASSUME, "arn:aws:iam::*:role/app-admin"))
    organization.attach(
        B,
        "org-only",
        deny(ASSUME, Condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, Principal="*"),
        kind="RESOURCE_CONTROL_POLICY",
    )
    return FakeSource(a, b, c, organization=organization)


def _edges(source: FakeSource) -> tuple[AssumeEdges, Assumers]:
    async def built() -> tuple[AssumeEdges, Assumers]:
        assumers = Assumers(PrincipalIndex().view(source))
        return await assume_edges(assumers, await assumers.view.entries(None)), assumers

    return run(built())


def _direct(assumers: Assumers, role: str) -> frozenset[str]:
    async def read() -> frozenset[str]:
        parts = await assumers.direct_parts(role)
        assert parts is not None
        found = {access.principal.arn for access in parts.ready}
        found.update(entry.arn for members in parts.pending for entry in members.entries())
        found.discard(role)
        return frozenset(found)

    return run(read())


def test_every_roles_assumers_are_those_the_role_by_role_path_decides() -> None:
    edges, assumers = _edges(_organization())
    assert len(edges.roles) == 22
    for role in edges.roles:
        assert edges.assumers(role) == _direct(assumers, role), role


def test_the_organization_decides_what_it_should() -> None:
    edges, _ = _edges(_organization())
    app_web = edges.assumers(f"arn:aws:iam::{B}:role/app-web")
    assert f"arn:aws:iam::{A}:user/anyone-user" in app_web
    assert f"arn:aws:iam::{A}:user/apps-user" in app_web  # (through its group)
    assert f"arn:aws:iam::{A}:user/nothing-user" not in app_web
    assert f"arn:aws:iam::{A}:user/unloaded-user" in app_web  # (may be allowed: its policy is not loaded)
    admin = edges.assumers(f"arn:aws:iam::{B}:role/app-admin")
    assert f"arn:aws:iam::{A}:user/anyone-user" not in admin  # (an SCP over A denies it)
    assert f"arn:aws:iam::{C}:user/anyone-user" in admin
    assert f"arn:aws:iam::{C}:user/not-admin-user" not in admin
    billing = edges.assumers(f"arn:aws:iam::{B}:role/billing-xacct")
    assert f"arn:aws:iam::{A}:role/billing-ops" in billing and f"arn:aws:iam::{A}:role/runner" not in billing
    shared = edges.assumers(f"arn:aws:iam::{B}:role/shared-read")
    assert f"arn:aws:iam::{A}:user/denied-user" not in shared and f"arn:aws:iam::{A}:user/anyone-user" in shared
    assert f"arn:aws:iam::{B}:user/nothing-user" in shared  # (anyone: its own account needs no identity policy)
    assert f"arn:aws:iam::{A}:user/fenced-user" in shared
    anyone_in_c = edges.assumers(f"arn:aws:iam::{C}:role/no-deny-list")
    assert f"arn:aws:iam::{A}:user/fenced-user" not in anyone_in_c  # (its boundary allows roles of B only)
    assert f"arn:aws:iam::{A}:user/anyone-user" in anyone_in_c
    not_runner = edges.assumers(f"arn:aws:iam::{C}:role/but-not-runner")
    assert f"arn:aws:iam::{A}:role/runner" not in not_runner and f"arn:aws:iam::{A}:role/billing-ops" in not_runner
    assert edges.assumers(f"arn:aws:iam::{B}:role/named-only") == {f"arn:aws:iam::{C}:user/anyone-user"}
    # (anyone whose ARN matches: in its own account the trust policy alone grants, elsewhere one's own
    # policies must allow it too)
    idle = edges.assumers(f"arn:aws:iam::{B}:role/idle-users")
    assert f"arn:aws:iam::{B}:user/nothing-user" in idle
    assert f"arn:aws:iam::{A}:user/nothing-user" not in idle and f"arn:aws:iam::{B}:user/anyone-user" not in idle


_IDENTITY = [
    allow(ASSUME),
    allow(ASSUME, f"arn:aws:iam::{B}:role/*"),
    allow(ASSUME, "arn:aws:iam::*:role/app-*"),
    allow(ASSUME, "arn:aws:iam::*:role/${aws:username}"),
    {"Effect": "Allow", "Action": "sts:*", "NotResource": f"arn:aws:iam::{C}:role/*"},
    allow(ASSUME, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    allow(ASSUME, Condition={"StringEquals": {"aws:ResourceTag/team": "red"}}),
    deny(ASSUME, "arn:aws:iam::*:role/ops-*"),
    deny(ASSUME, Condition={"StringNotEquals": {"aws:PrincipalTag/team": "red"}}),
    allow("s3:GetObject"),
]
_TRUSTS = [
    trusting({"AWS": f"arn:aws:iam::{A}:root"}),
    trusting({"AWS": [f"arn:aws:iam::{B}:root", f"arn:aws:iam::{C}:root"]}),
    trusting({"AWS": "*"}),
    trusting({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}),
    trusting({"AWS": f"arn:aws:iam::{A}:root"}, Condition={"StringLike": {"aws:PrincipalArn": "*:role/app-*"}}),
    trusting({"AWS": "*"}, Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/u1*"}}),
    trusting({"AWS": f"arn:aws:iam::{B}:root"}, Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}),
    trusting({"AWS": f"arn:aws:iam::{C}:root"}, Condition={"StringEquals": {"sts:ExternalId": "x"}}),
    trusting({"AWS": [f"arn:aws:iam::{A}:user/u0", f"arn:aws:iam::{B}:root"]}),
    trusting({"AWS": f"arn:aws:iam::{OUTSIDE}:root"}),
    trusting({"Service": "lambda.amazonaws.com"}),
    trusting({"AWS": f"arn:aws:iam::{A}:root"}, Condition={"StringEquals": {"aws:ResourceTag/team": "red"}}),
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_organizations_decide_alike_in_bulk_and_role_by_role(data: st.DataObject) -> None:
    """Accounts of random users and roles, each holding some of a few identity statements (Resource
    patterns, NotResource, conditions on the request, the resource and the principal, Denies, a policy
    variable, an unloaded policy, a boundary) and trusted by some of a few trust policies (an account, anyone,
    the organization, aws:PrincipalArn, a tag, a named principal, an account or service outside)."""
    accounts = [FakeAccount(A), FakeAccount(B), FakeAccount(C)]
    for account in accounts:
        policies = [account.policy(f"p{n}", statement) for n, statement in enumerate(_IDENTITY)]
        policies.append(account.missing_policy("gone"))
        boundary = account.policy("fence", allow(ASSUME, f"arn:aws:iam::{B}:role/*"))
        for n in range(data.draw(st.integers(1, 4), label="users")):
            held = data.draw(st.lists(st.sampled_from(policies), max_size=3, unique=True), label="user policies")
            fenced = data.draw(st.booleans(), label="user boundary")
            tags = {"team": "red"} if data.draw(st.booleans(), label="user tag") else None
            account.user(f"u{n}", held, boundary=boundary if fenced else None, tags=tags)
        for n in range(data.draw(st.integers(1, 4), label="roles")):
            held = data.draw(st.lists(st.sampled_from(policies), max_size=3, unique=True), label="role policies")
            name = data.draw(st.sampled_from(["app", "ops", "data"]), label="role name")
            trust = data.draw(st.sampled_from(_TRUSTS), label="trust")
            account.role(f"{name}-{n}", held, trust=trust, tags={"team": "red"} if n % 2 else None)
    organization = FakeOrganization(ORG, C, accounts={A: ["r-root", A], B: ["r-root", B], C: ["r-root", C]})
    for level in ("r-root", A, B, C):
        organization.attach(level, f"everything-{level}", allow("*"))
    if data.draw(st.booleans(), label="an SCP denies A the app roles"):
        organization.attach(A, "no-app", deny(ASSUME, "arn:aws:iam::*:role/app-*"))
    edges, assumers = _edges(FakeSource(*accounts, organization=organization))
    for role in edges.roles:
        assert edges.assumers(role) == _direct(assumers, role), role


def test_a_set_of_roles_is_assumed_by_the_union_of_their_assumers() -> None:
    edges, _ = _edges(_organization())
    chosen = [
        f"arn:aws:iam::{B}:role/app-web",
        f"arn:aws:iam::{B}:role/billing-xacct",
        f"arn:aws:iam::{C}:role/app-api",
    ]
    bits = sum(1 << edges.index[role] for role in chosen)
    assert edges.of_any(bits) - set(chosen) == set().union(*(edges.assumers(role) for role in chosen)) - set(chosen)
    assert indices(bits) == sorted(edges.index[role] for role in chosen)


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=60))
def test_the_bits_of_some_numbers_are_read_back_as_those_numbers(numbers: list[int]) -> None:
    bits = from_indices(numbers)
    assert bits == sum(1 << n for n in set(numbers))
    assert indices(bits) == sorted(set(numbers))
