"""Minimal accounts where a catalogue technique applies, built from the technique's own entry, and the
variants where it must not (a Deny, an SCP, a boundary, a missing prerequisite, a protected target)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.database.records import AccessKeyRecord, AccountSecurityRecord, UserCredentialRecord
from service.escalation import Evidence, Placeholder, PolicyOrigin, Prerequisite, Technique, load_catalogue
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, deny, trusting

A = "111122223333"
MANAGEMENT = "999999999999"
CATALOGUE = load_catalogue()
# Every technique the checker decides from IAM data (sts-001 is the `assumes` step of whoCanAssume itself).
DECIDED = [t for t in CATALOGUE.techniques if t.decided_by is Evidence.IAM_DATA and t.id != "sts-001"]
CREDENTIAL = [t for t in CATALOGUE.techniques if t.decided_by is Evidence.CREDENTIAL_STATE]
ROLE_TARGET_NAMES = {
    "aws-reserved": "aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
    "service-linked": "aws-service-role/ops.example.amazonaws.com/AWSServiceRoleForOps",
}

VARIANTS = (
    "applies",
    "deny",
    "scp",
    "boundary",
    "other-service",
    "untrusting-service",
    "untrusting-target",
    "not-in-group",
    "not-attached",
    "aws-reserved",
    "service-linked",
    "aws-managed-policy",
    "no-helper",
    "helper-other-service",
    "untrusting-execution",
)


def variants_of(technique: Technique) -> list[str]:
    """The negative controls that make sense for the technique."""
    found = ["deny", "scp", "boundary"]
    prerequisites = technique.prerequisites
    if technique.trusted_services:
        found += ["other-service", "untrusting-service"]
    if technique.helper_services and not set(technique.trusted_services) & set(technique.helper_services):
        # (where the passed role may also be the helper, as the Batch job and execution role, it always is)
        found += ["no-helper", "helper-other-service"]
    if Prerequisite.ROLE_CHAIN in prerequisites:
        found.append("untrusting-execution")
    if Prerequisite.TARGET_TRUSTS_ACTOR in prerequisites:
        found.append("untrusting-target")
    if Prerequisite.ACTOR_IN_GROUP in prerequisites:
        found.append("not-in-group")
    if (
        Prerequisite.POLICY_ATTACHED_TO_ACTOR in prerequisites
        or Prerequisite.POLICY_ATTACHED_TO_TARGET in prerequisites
    ):
        found += ["not-attached", "aws-managed-policy"]
    holders = {a.resource for a in technique.actions}
    excluded = {kind.value for kind in technique.excluded_targets}
    if Placeholder.TARGET_ROLE.template in holders:
        found += [v for v in ("aws-reserved", "service-linked") if f"{v}-role" in excluded]
    return found


@dataclass(frozen=True)
class VictimCredentials:
    """The victim user's row of a loaded credential report: its access keys and whether it has a console
    password. `in_report` False: the report predates the user (the account has a report, the user no row)."""

    access_keys: int = 0
    login_profile: bool = False
    in_report: bool = True


def meeting(technique: Technique) -> VictimCredentials:
    """Credentials of the victim that meet the technique's credential prerequisites."""
    return VictimCredentials(0, Prerequisite.LOGIN_PROFILE_PRESENT in technique.prerequisites)


def credential_report(victim: str, credentials: VictimCredentials) -> AccountSecurityRecord:
    keys = tuple(
        AccessKeyRecord(None, slot, True, "2026-01-01T00:00:00+00:00", None, None)
        for slot in range(1, credentials.access_keys + 1)
    )
    user = UserCredentialRecord(
        victim,
        "victim",
        False,
        "2025-01-01T00:00:00+00:00",
        credentials.login_profile,
        None,
        False,
        None,
        False,
        (),
        keys,
    )
    users = (user,) if credentials.in_report else ()
    return AccountSecurityRecord(A, "2026-02-01T00:00:00+00:00", False, None, {}, users, (), ())


@dataclass
class Scenario:
    source: FakeSource
    attacker: str
    reached: str  # the ARN the escalation reaches (the role or user it becomes, the group, the policy)


def scenario(technique: Technique, variant: str = "applies", credentials: VictimCredentials | None = None) -> Scenario:
    """`credentials`: the victim's row of a credential report loaded for the account (None: no credential
    data loaded)."""
    a = FakeAccount(A)
    prerequisites = technique.prerequisites
    holders = {x.resource for x in technique.actions}
    attacker_is_role = Prerequisite.ACTOR_IS_ROLE in prerequisites or (
        Placeholder.ACTOR.template in holders and "Role" in technique.actions[0].action
    )
    attacker = a.arn("role" if attacker_is_role else "user", "attacker")
    service = technique.trusted_services[0] if technique.trusted_services else "ec2.amazonaws.com"
    trusted = "sns.amazonaws.com" if variant == "untrusting-service" else service
    passed = a.role("passed", [a.policy("PassedAdmin", allow("*"))], trust=trusting({"Service": trusted}))
    role_name = ROLE_TARGET_NAMES.get(variant, "target")
    trusts_attacker = Prerequisite.TARGET_TRUSTS_ACTOR in prerequisites and variant != "untrusting-target"
    target_trust = {"AWS": attacker} if trusts_attacker else {"AWS": a.arn("user", "someone-else")}
    target_policy = a.policy("TargetPolicy", allow("s3:GetObject"))
    target_role = a.role(role_name, [target_policy], trust=trusting(target_trust))
    if variant == "aws-managed-policy":
        shared = a.aws_policy("SomeManaged", allow("s3:ListBucket"))
    else:
        shared = a.policy("Shared", allow("s3:ListBucket"))
    extra_roles: dict[str, str] = {}
    if technique.helper_services:  # (the EMR service role, the Batch execution role)
        helper_trust = {"Service": "sns.amazonaws.com" if variant == "no-helper" else technique.helper_services[0]}
        extra_roles[Placeholder.HELPER_ROLE.template] = a.role(
            "helper", [a.policy("HelperPolicy", allow("ecr:GetAuthorizationToken"))], trust=trusting(helper_trust)
        )
    if Prerequisite.ROLE_CHAIN in prerequisites:  # (the StackSet execution role the passed role assumes)
        chained_by = a.arn("user", "someone-else") if variant == "untrusting-execution" else passed
        extra_roles[Placeholder.EXECUTION_ROLE.template] = a.role(
            "execution", [a.policy("ExecutionAdmin", allow("*"))], trust=trusting({"AWS": chained_by})
        )
    victim = a.user("victim", [a.policy("VictimPolicy", allow("s3:GetObject"))])
    group = a.group("crew", [a.policy("CrewPolicy", allow("s3:ListAllMyBuckets"))])
    binding = {
        Placeholder.ACTOR.template: attacker,
        Placeholder.TARGET_ROLE.template: target_role,
        Placeholder.TARGET_USER.template: victim,
        Placeholder.TARGET_GROUP.template: group,
        Placeholder.POLICY.template: shared,
        Placeholder.PASSED_ROLE.template: passed,
        **extra_roles,
    }
    statements: list[dict[str, Any]] = []
    for required in technique.actions:
        condition: dict[str, Any] = {}
        for context in required.context:
            if context.key.lower() == "iam:passedtoservice":
                named = "glue.amazonaws.com" if context.value != "glue.amazonaws.com" else "ecs.amazonaws.com"
                other = variant == "other-service" or (
                    variant == "helper-other-service" and required.resource == Placeholder.HELPER_ROLE.template
                )
                value = named if other else context.value
                condition.setdefault("StringEquals", {})[context.key] = value
        extra = {"Condition": condition} if condition else {}
        statements.append(allow(required.action, binding.get(required.resource, required.resource), **extra))
    policies = [a.policy("Escalate", *statements)]
    if variant == "deny":
        policies.append(a.policy("Guard", deny(technique.actions[0].action)))
    on_attacker = Prerequisite.POLICY_ATTACHED_TO_ACTOR in prerequisites
    if on_attacker and variant != "not-attached":
        policies.append(shared)
    if Prerequisite.POLICY_ATTACHED_TO_TARGET in prerequisites and variant != "not-attached":
        a.role(role_name, [target_policy, shared], trust=trusting(target_trust))
    groups = [group] if Prerequisite.ACTOR_IN_GROUP in prerequisites and variant != "not-in-group" else []
    boundary = a.policy("Bound", allow("s3:*")) if variant == "boundary" else None
    if attacker_is_role:
        a.role("attacker", policies, trust=trusting({"Service": "ec2.amazonaws.com"}), boundary=boundary)
    else:
        a.user("attacker", policies, groups=groups, boundary=boundary)
    organization = None
    if variant == "scp":
        organization = FakeOrganization("o-test", MANAGEMENT, accounts={A: ["r-root", A]})
        organization.attach("r-root", "full", allow("*"))
        organization.attach(A, "guard", deny(technique.actions[0].action))
    reached = _reached(technique, binding, attacker)
    security = [credential_report(victim, credentials)] if credentials is not None else []
    return Scenario(FakeSource(a, organization=organization, security=security), attacker, reached)


def _reached(technique: Technique, binding: dict[str, str], attacker: str) -> str:
    outcome = technique.outcome
    if outcome.policy is PolicyOrigin.MANAGED and outcome.holder in (
        Placeholder.ACTOR.template,
        Placeholder.TARGET_GROUP.template,
    ):
        return "arn:aws:iam::aws:policy/AdministratorAccess"
    if outcome.gain.value == "gains-policy":
        if Placeholder.POLICY.template in {a.resource for a in technique.actions}:
            return binding[Placeholder.POLICY.template]
        return binding[outcome.holder] + "#authored-policy"
    return binding[outcome.holder]
