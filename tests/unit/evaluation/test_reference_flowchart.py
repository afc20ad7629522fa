"""Hypothesis: without conditions, `evaluate` agrees with a small, independent reading of AWS's flowchart.

The reference below is written from the IAM User Guide ("Policy evaluation logic", its flowchart, and
"Cross-account policy evaluation logic"; "Session policies"; "Permissions for GetFederationToken";
Organizations UG on SCPs and RCPs) and shares
no code with the evaluator: its own glob, its own principal classification, its own combination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.evaluation import Principal, Request, evaluate, parse_policy, principal_from_arn

A, B = "111111111111", "222222222222"
ALICE = f"arn:aws:iam::{A}:user/alice"
CAROL = f"arn:aws:iam::{B}:user/carol"
DEV_ROLE = f"arn:aws:iam::{A}:role/dev"
DEV_SESSION = f"arn:aws:sts::{A}:assumed-role/dev/dana"
FIONA = f"arn:aws:sts::{A}:federated-user/fiona"  # a federated user session alice created

CALLERS = {
    "alice": principal_from_arn(ALICE),
    "carol": principal_from_arn(CAROL),
    "dana": principal_from_arn(DEV_SESSION),
    "fiona": principal_from_arn(FIONA, parent_user_arn=ALICE),
}
ACTIONS = ("s3:GetObject", "sqs:SendMessage", "ec2:RunInstances")
# "*" twice: statements that match are what make the combination rules matter.
ACTION_PATTERNS = ("*", "*", "s3:*", "s3:Get*", "S3:getobject", "s3:?utObject", "sqs:*", "ec2:Run*", "sqs:SendMessage")
RESOURCES = (
    ("arn:aws:s3:::b1/x", A),
    ("arn:aws:s3:::b1/x", A),
    ("arn:aws:s3:::b2/x", B),
    ("arn:aws:sqs:us-east-1:111111111111:q", A),
    ("arn:aws:ec2:us-east-1:222222222222:instance/i-1", B),
)
RESOURCE_PATTERNS = (
    "*",
    "*",
    "arn:aws:s3:::b1/*",
    "arn:aws:s3:::b?/x",
    "arn:aws:sqs:us-east-1:111111111111:*",
    "arn:*",
)
PRINCIPAL_VALUES = ("*", A, f"arn:aws:iam::{A}:root", ALICE, DEV_ROLE, DEV_SESSION, CAROL, B, FIONA)
RCP_SERVICES = ("s3", "sqs")  # of the services generated here, those RCPs apply to


# --- the reference ---------------------------------------------------------------------------------


def glob(pattern: str, text: str, *, fold: bool) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, re.IGNORECASE if fold else 0) is not None


def statement_matches(stmt: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in stmt:
        action_ok = any(glob(p, action, fold=True) for p in stmt["Action"])
    else:
        action_ok = not any(glob(p, action, fold=True) for p in stmt["NotAction"])
    if "Resource" in stmt:
        resource_ok = any(glob(p, resource, fold=False) for p in stmt["Resource"])
    elif "NotResource" in stmt:
        resource_ok = not any(glob(p, resource, fold=False) for p in stmt["NotResource"])
    else:
        resource_ok = True
    return action_ok and resource_ok


def effects(policies: list[dict[str, Any]], action: str, resource: str) -> set[str]:
    return {s["Effect"] for p in policies for s in p["Statement"] if statement_matches(s, action, resource)}


def how_named(value: str, caller: str) -> str | None:
    """How one Principal value names the caller: everyone, account, user, role, session, or not at all."""
    account = B if caller == "carol" else A
    if value == "*":
        return "everyone"
    if value in (account, f"arn:aws:iam::{account}:root"):
        return "account"
    named = {
        "alice": {ALICE: "user"},
        "carol": {CAROL: "user"},
        "dana": {DEV_ROLE: "role", DEV_SESSION: "session"},
        "fiona": {FIONA: "session", ALICE: "user"},  # "Session policies": naming the user that federated
    }
    return named[caller].get(value)


def resource_policy_ways(
    policy: dict[str, Any] | None, caller: str, action: str, resource: str, effect: str
) -> set[str]:
    if policy is None:
        return set()
    out: set[str] = set()
    for stmt in policy["Statement"]:
        if stmt["Effect"] == effect and statement_matches(stmt, action, resource):
            out |= {w for v in stmt["Principal"]["AWS"] if (w := how_named(v, caller)) is not None}
    return out


def reference_decision(case: Scenario) -> str:
    caller, action, (resource, resource_account) = case.caller, case.action, case.resource
    account = B if caller == "carol" else A
    boundary = case.boundary or None  # an empty list of boundaries is no boundary
    session = [case.session] if case.session is not None else None
    rcps_apply = action.split(":")[0] in RCP_SERVICES
    # 1. Any explicit Deny wins.
    deny_sources = [effects(case.identity, action, resource), effects(boundary or [], action, resource)]
    deny_sources.append(effects(session or [], action, resource))
    for level in case.scps or []:
        deny_sources.append(effects(level, action, resource))
    for level in (case.rcps or []) if rcps_apply else []:
        deny_sources.append(effects(level, action, resource))
    if any("Deny" in found for found in deny_sources):
        return "ExplicitlyDenied"
    if resource_policy_ways(case.resource_policy, caller, action, resource, "Deny"):
        return "ExplicitlyDenied"
    # 2. SCPs: an Allow at every level. RCPs: RCPFullAWSAccess allows at every level, so nothing to check.
    if case.scps is not None and not all("Allow" in effects(level, action, resource) for level in case.scps):
        return "ImplicitlyDenied"
    # 3. Grants.
    identity_ok = "Allow" in effects(case.identity, action, resource)
    boundary_ok = boundary is None or "Allow" in effects(boundary, action, resource)
    # A federated user session without a session policy has no permissions ("GetFederationToken").
    session_ok = (caller != "fiona") if session is None else "Allow" in effects(session, action, resource)
    ways = resource_policy_ways(case.resource_policy, caller, action, resource, "Allow")
    identity_side = identity_ok and boundary_ok and session_ok
    if resource_account != account:
        return "Allowed" if identity_side and ways else "ImplicitlyDenied"
    granted = (
        identity_side
        or bool(ways & {"everyone", "session"})
        or ("user" in ways and session_ok)
        or ("role" in ways and boundary_ok and session_ok)
    )
    return "Allowed" if granted else "ImplicitlyDenied"


# --- the scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    caller: str
    action: str
    resource: tuple[str, str]
    identity: list[dict[str, Any]]
    boundary: list[dict[str, Any]] | None
    session: dict[str, Any] | None
    scps: list[list[dict[str, Any]]] | None
    rcps: list[list[dict[str, Any]]] | None
    resource_policy: dict[str, Any] | None


def statements(
    *, principal: tuple[str, ...] | None, effect: st.SearchStrategy[str]
) -> st.SearchStrategy[dict[str, Any]]:
    action_key = st.sampled_from(["Action", "Action", "NotAction"])
    resource_key = st.sampled_from(["Resource", "Resource", "NotResource"])

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {"Effect": draw(effect)}
        out[draw(action_key)] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2))
        out[draw(resource_key)] = draw(st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=1))
        if principal is not None:
            out["Principal"] = {"AWS": draw(st.lists(st.sampled_from(principal), min_size=1, max_size=2))}
        return out

    return build()


def documents(
    *, principal: tuple[str, ...] | None = None, effect: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Any]:
    effect = effect or st.sampled_from(["Allow", "Allow", "Allow", "Deny"])
    body = st.lists(statements(principal=principal, effect=effect), min_size=0, max_size=2)
    return body.map(lambda sts: {"Version": "2012-10-17", "Statement": sts})


LEVELS = st.lists(st.lists(documents(), min_size=0, max_size=2), min_size=1, max_size=3)
# "RCP syntax": Principal must be "*" (conditions narrow who is denied).
RCP_LEVELS = st.lists(st.lists(documents(principal=("*",)), min_size=0, max_size=2), min_size=1, max_size=3)

scenarios = st.builds(
    Scenario,
    caller=st.sampled_from(sorted(CALLERS)),
    action=st.sampled_from(ACTIONS),
    resource=st.sampled_from(RESOURCES),
    identity=st.lists(documents(), max_size=2),
    boundary=st.none() | st.lists(documents(), max_size=1),
    session=st.none() | documents(),
    scps=st.none() | LEVELS,
    rcps=st.none() | RCP_LEVELS,
    resource_policy=st.none() | documents(principal=PRINCIPAL_VALUES),
)


def run(case: Scenario) -> str:
    def parsed(docs: list[dict[str, Any]], name: str) -> list[Any]:
        return [parse_policy(d, name=f"{name}[{i}]") for i, d in enumerate(docs)]

    who: Principal = CALLERS[case.caller]
    resource, account = case.resource
    decision = evaluate(
        Request(who, case.action, resource, resource_account=account, context_complete=True),
        identity_policies=parsed(case.identity, "identity"),
        permissions_boundaries=None if case.boundary is None else parsed(case.boundary, "boundary"),
        session_policy=None if case.session is None else parse_policy(case.session, name="session"),
        service_control_policies=None if case.scps is None else [parsed(lv, "scp") for lv in case.scps],
        resource_control_policies=None if case.rcps is None else [parsed(lv, "rcp") for lv in case.rcps],
        resource_policy=None if case.resource_policy is None else parse_policy(case.resource_policy, name="rp"),
    )
    assert decision.condition is None
    return decision.decision


def _doc(effect: str, action: str, **extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": [action], "Resource": ["*"], **extra}]}


EC2_ONLY = _doc("Allow", "ec2:*")


def _naming(value: str) -> dict[str, Any]:
    return _doc("Allow", "*", Principal={"AWS": [value]})


# Shapes random drawing reaches rarely: a resource policy naming the role, the session or the user, with a
# boundary or session policy that does not allow; and the same across accounts.
SHAPES = [
    Scenario("dana", "s3:GetObject", RESOURCES[0], [], [EC2_ONLY], None, None, None, _naming(DEV_ROLE)),
    Scenario("dana", "s3:GetObject", RESOURCES[0], [], None, EC2_ONLY, None, None, _naming(DEV_ROLE)),
    Scenario("dana", "s3:GetObject", RESOURCES[0], [], [EC2_ONLY], EC2_ONLY, None, None, _naming(DEV_SESSION)),
    Scenario("alice", "s3:GetObject", RESOURCES[0], [], [EC2_ONLY], None, None, None, _naming(ALICE)),
    Scenario("alice", "s3:GetObject", RESOURCES[0], [], None, EC2_ONLY, None, None, _naming(ALICE)),
    Scenario("alice", "s3:GetObject", RESOURCES[0], [], None, None, None, None, _naming(A)),
    Scenario("carol", "s3:GetObject", RESOURCES[0], [], None, None, None, None, _naming(CAROL)),
    Scenario("fiona", "s3:GetObject", RESOURCES[0], [], [EC2_ONLY], None, None, None, _naming(FIONA)),
    Scenario("fiona", "s3:GetObject", RESOURCES[0], [], None, EC2_ONLY, None, None, _naming(ALICE)),
    Scenario("fiona", "s3:GetObject", RESOURCES[0], [], None, None, None, None, _naming(ALICE)),
    Scenario("fiona", "s3:GetObject", RESOURCES[2], [_doc("Allow", "*")], None, None, None, None, _naming(FIONA)),
    Scenario("carol", "ec2:RunInstances", RESOURCES[3], [], [], None, [[]], [[_doc("Deny", "*", Principal="*")]], None),
]


def _with_shapes(test: Any) -> Any:
    for shape in SHAPES:
        test = example(shape)(test)
    return test


@settings(max_examples=300, deadline=None)
@_with_shapes
@given(scenarios)
def test_decision_equals_the_reference_flowchart(case: Scenario) -> None:
    assert run(case) == reference_decision(case), case


def test_the_reference_is_not_trivially_agreeing() -> None:
    """The reference itself distinguishes the three outcomes (a guard against a reference that says one thing)."""
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}
    deny_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["*"], "Resource": ["*"]}]}
    base = Scenario("alice", "s3:GetObject", RESOURCES[0], [allow_all], None, None, None, None, None)
    assert reference_decision(base) == "Allowed" == run(base)
    denied = Scenario("alice", "s3:GetObject", RESOURCES[0], [allow_all, deny_all], None, None, None, None, None)
    assert reference_decision(denied) == "ExplicitlyDenied" == run(denied)
    nothing = Scenario("alice", "s3:GetObject", RESOURCES[0], [], None, None, None, None, None)
    assert reference_decision(nothing) == "ImplicitlyDenied" == run(nothing)
