"""One account of the synthetic organization as `aws iam get-account-authorization-details` prints it.

Every account gets the roles real organizations put everywhere (OrganizationAccountAccessRole, an audit
role trusted by the security account, a CI deployer role requiring an external id, SAML roles, a role for
the whole organization through `aws:PrincipalOrgID`, a vendor integration, break-glass, a service-linked
role), then users and roles in teams: humans in groups, service users, and roles trusted by AWS services,
by principals of the same account, by other accounts of the organization (account root or named role),
by vendors outside it (mostly with an external id), by the corporate SAML provider, or by deleted
principals (an `AROA…` id).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

from bench import aws_managed
from bench.synthetic_org import AccountPlan, OrgPlan
from bench.synthetic_policies import (
    CORPORATE_CIDRS,
    INLINE_TEMPLATES,
    TEMPLATES,
    Document,
    Scope,
    developer_boundary,
    document,
    force_mfa,
)

TEAMS = ("payments", "search", "billing", "identity", "data", "ml", "web", "mobile", "platform", "sre",
         "analytics", "growth", "ads", "catalog", "checkout", "fraud", "messaging", "media", "support", "infra")
FIRST = ("alex", "sam", "jo", "kim", "lee", "pat", "robin", "casey", "dana", "eli", "noa", "ira", "yuki",
         "omar", "lena", "ravi", "mia", "tom", "ana", "ken")
LAST = ("smith", "garcia", "chen", "okafor", "novak", "silva", "kowalski", "tanaka", "haddad", "murphy",
        "ivanova", "larsen", "dubois", "rossi", "kim", "nguyen", "patel", "cohen", "schmidt", "moreau")
SAML_AUDIENCE = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
_ID_ALPHABET = string.ascii_uppercase + "234567"
# (kind, weight in 1/100) of the generated roles beyond the fixed ones
_ROLE_KINDS = (("ec2", 18), ("lambda", 17), ("task", 8), ("same-principal", 15), ("same-root-mfa", 8),
               ("org-account", 12), ("org-role", 7), ("org-wide", 3), ("vendor", 4), ("vendor-no-external-id", 1),
               ("saml", 4), ("deleted", 1), ("mixed", 2))
_TASK_SERVICES = ("ecs-tasks.amazonaws.com", "states.amazonaws.com", "glue.amazonaws.com", "codebuild.amazonaws.com")
_SUPPORT_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"


@dataclass
class _Policy:
    arn: str
    name: str
    document: Document
    versions: int
    attachments: int = 0
    boundary_uses: int = 0


@dataclass
class _Account:
    """Generation state of one account: its policies with attachment counts, names already used."""

    plan: AccountPlan
    org: OrgPlan
    rng: random.Random
    customer: dict[str, _Policy] = field(default_factory=dict)
    team_policies: dict[str, list[str]] = field(default_factory=dict)
    aws_used: dict[str, list[int]] = field(default_factory=dict)  # arn -> [attachments, boundary uses]
    user_arns: list[str] = field(default_factory=list)
    role_names: list[str] = field(default_factory=list)
    boundary_arn: str = ""


def account_gaad(org: OrgPlan, account: AccountPlan) -> dict[str, Any]:
    """The GAAD document of one planned account; the same plan gives the same document."""
    rng = random.Random(f"accessgraph-account:{org.seed}:{account.id}")
    state = _Account(account, org, rng)
    teams = list(rng.sample(TEAMS, k=min(len(TEAMS), max(2, account.principals // 80))))
    _customer_policies(state, teams)
    groups = _groups(state, teams)
    users = [_user(state, index, teams, groups) for index in range(account.users)]
    roles = _fixed_roles(state)
    roles += [_role(state, index, teams) for index in range(account.roles - len(roles))]
    policies = [_customer_entry(state, policy) for policy in state.customer.values()]
    for arn, (attachments, boundary_uses) in state.aws_used.items():
        if arn in aws_managed.BY_ARN:
            policies.append(aws_managed.BY_ARN[arn].gaad_entry(attachments, boundary_uses))
    return {"UserDetailList": users, "GroupDetailList": list(groups.values()), "RoleDetailList": roles,
            "Policies": policies}


# -- helpers ---------------------------------------------------------------------------------------------

def _ident(state: _Account, prefix: str) -> str:
    return prefix + "".join(state.rng.choices(_ID_ALPHABET, k=17))


def _date(rng: random.Random, first_year: int = 2017) -> str:
    return (f"{rng.randint(first_year, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}+00:00")


def _others(state: _Account) -> tuple[str, ...]:
    return tuple(a.id for a in state.org.accounts if a.id != state.plan.id) or (state.plan.id,)


def _attach(state: _Account, arn: str, *, boundary: bool = False) -> dict[str, str]:
    if arn in state.customer:
        policy = state.customer[arn]
        if boundary:
            policy.boundary_uses += 1
        else:
            policy.attachments += 1
    else:
        counts = state.aws_used.setdefault(arn, [0, 0])
        counts[1 if boundary else 0] += 1
    if boundary:
        return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}
    return {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}


def _attachments(
    state: _Account, team: str, low: int, high: int, aws: tuple[tuple[str, float], ...] = ()
) -> list[dict[str, str]]:
    rng = state.rng
    picked: dict[str, None] = {}
    pool = state.team_policies[team]
    for _ in range(rng.randint(low, high)):
        picked[rng.choice(pool)] = None
    for arn, chance in aws:
        if rng.random() < chance:
            picked[arn] = None
    return [_attach(state, arn) for arn in picked]


def _inline(state: _Account, team: str, chance: float, prefix: str) -> list[dict[str, Any]]:
    rng = state.rng
    if rng.random() >= chance:
        return []
    template = rng.choice(INLINE_TEMPLATES)
    return [{"PolicyName": f"{prefix}-{team}-{rng.randint(1, 99)}",
             "PolicyDocument": template(rng, Scope(state.plan.id, team, _others(state)))}]


def _maybe_boundary(state: _Account, entity: dict[str, Any], chance: float) -> None:
    if state.rng.random() < chance:
        entity["PermissionsBoundary"] = _attach(state, state.boundary_arn, boundary=True)


def _arn(state: _Account, kind: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{state.plan.id}:{kind}{path}{name}"


def _trust(*statements: dict[str, Any]) -> Document:
    return document(*statements)


def _allow(
    principal: dict[str, Any] | str, action: str | list[str] = "sts:AssumeRole", **condition: Any
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return statement


# -- policies and groups ---------------------------------------------------------------------------------

def _customer_policies(state: _Account, teams: list[str]) -> None:
    rng, account = state.rng, state.plan.id
    per_team = max(2, state.plan.principals // (8 * len(teams)))
    fixed = (("DeveloperBoundary", developer_boundary(account)), ("ForceMFA", force_mfa(account)))
    for name, doc in fixed:
        arn = _arn(state, "policy", name)
        state.customer[arn] = _Policy(arn, name, doc, rng.randint(1, 3))
    state.boundary_arn = _arn(state, "policy", "DeveloperBoundary")
    others = _others(state)
    for team in teams:
        state.team_policies[team] = []
        offset = rng.randrange(len(TEMPLATES))
        for index in range(per_team):
            label, template = TEMPLATES[(offset + index) % len(TEMPLATES)]
            name = f"{team}-{label}-{index:03d}"
            arn = _arn(state, "policy", name, "/teams/")
            state.customer[arn] = _Policy(arn, name, template(rng, Scope(account, team, others)), rng.randint(1, 3))
            state.team_policies[team].append(arn)


def _customer_entry(state: _Account, policy: _Policy) -> dict[str, Any]:
    rng = state.rng
    created = _date(rng, 2018)
    versions = [{"Document": policy.document if v == policy.versions else _older(policy.document),
                 "VersionId": f"v{v}", "IsDefaultVersion": v == policy.versions, "CreateDate": created}
                for v in range(policy.versions, 0, -1)]
    return {
        "PolicyName": policy.name, "PolicyId": _ident(state, "ANPA"), "Arn": policy.arn,
        "Path": policy.arn.split(":policy", 1)[1].rsplit("/", 1)[0] + "/", "DefaultVersionId": f"v{policy.versions}",
        "AttachmentCount": policy.attachments, "PermissionsBoundaryUsageCount": policy.boundary_uses,
        "IsAttachable": True, "CreateDate": created, "UpdateDate": created, "PolicyVersionList": versions,
    }


def _older(current: Document) -> Document:
    """An earlier version: the same document minus its last statement (or unchanged when it has one)."""
    statements = current["Statement"]
    return document(*statements[:-1]) if len(statements) > 1 else current


def _groups(state: _Account, teams: list[str]) -> dict[str, dict[str, Any]]:
    account_groups = [
        ("Admins", [aws_managed.ADMINISTRATOR.arn]),
        ("Developers", [aws_managed.POWER_USER.arn]),
        ("ReadOnly", [aws_managed.READ_ONLY.arn]),
        ("Auditors", [aws_managed.SECURITY_AUDIT.arn, aws_managed.IAM_READ_ONLY.arn]),
        ("AllHumans", [_arn(state, "policy", "ForceMFA")]),
    ]
    groups: dict[str, dict[str, Any]] = {}
    for name, arns in account_groups:
        groups[name] = _group(state, name, [_attach(state, arn) for arn in arns], [])
    for team in teams:
        for suffix in ("engineers", "leads") if state.rng.random() < 0.5 else ("engineers",):
            name = f"{team}-{suffix}"
            groups[name] = _group(state, name, _attachments(state, team, 1, 3), _inline(state, team, 0.2, "group"))
    return groups


def _group(
    state: _Account, name: str, attached: list[dict[str, str]], inline: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"Path": "/", "GroupName": name, "GroupId": _ident(state, "AGPA"), "Arn": _arn(state, "group", name),
            "CreateDate": _date(state.rng), "GroupPolicyList": inline, "AttachedManagedPolicies": attached}


# -- users -----------------------------------------------------------------------------------------------

def _user(state: _Account, index: int, teams: list[str], groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rng = state.rng
    team = rng.choice(teams)
    human = rng.random() < 0.8 or index == 0
    if human:
        name = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{index}"
        memberships = ["AllHumans", f"{team}-engineers"]
        if f"{team}-leads" in groups and rng.random() < 0.15:
            memberships.append(f"{team}-leads")
        for group, chance in (("Admins", 0.02), ("Developers", 0.2), ("ReadOnly", 0.1), ("Auditors", 0.03)):
            if rng.random() < chance or (group == "Admins" and index == 0):
                memberships.append(group)
        attached = _attachments(state, team, 0, 0, ((aws_managed.S3_READ_ONLY.arn, 0.05),)) \
            if rng.random() < 0.1 else []
    else:
        name = f"svc-{team}-{index}"
        memberships = []
        attached = _attachments(state, team, 1, 2, ((aws_managed.S3_FULL.arn, 0.05),))
    arn = _arn(state, "user", name)
    user: dict[str, Any] = {
        "Path": "/", "UserName": name, "UserId": _ident(state, "AIDA"), "Arn": arn, "CreateDate": _date(rng),
        "GroupList": sorted(memberships), "AttachedManagedPolicies": attached,
        "Tags": [{"Key": "team", "Value": team}] + ([{"Key": "kind", "Value": "service"}] if not human else []),
    }
    inline = _inline(state, team, 0.08 if human else 0.3, "user")
    if inline:
        user["UserPolicyList"] = inline
    if human and rng.random() < 0.7:
        user["PasswordLastUsed"] = _date(rng, 2024)
    _maybe_boundary(state, user, 0.06)
    state.user_arns.append(arn)
    return user


# -- roles -----------------------------------------------------------------------------------------------

def _role_entry(state: _Account, name: str, trust: Document, attached: list[dict[str, str]],
                inline: list[dict[str, Any]] | None = None, path: str = "/", team: str | None = None,
                profile: bool = False) -> dict[str, Any]:
    rng = state.rng
    arn = _arn(state, "role", name, path)
    created = _date(rng)
    role: dict[str, Any] = {
        "Path": path, "RoleName": name, "RoleId": _ident(state, "AROA"), "Arn": arn, "CreateDate": created,
        "AssumeRolePolicyDocument": trust, "InstanceProfileList": [], "RolePolicyList": inline or [],
        "AttachedManagedPolicies": attached, "Tags": [{"Key": "team", "Value": team}] if team else [],
        "RoleLastUsed": {"LastUsedDate": _date(rng, 2025), "Region": rng.choice(("us-east-1", "eu-west-1"))}
        if rng.random() < 0.7 else {},
    }
    if profile:
        role["InstanceProfileList"] = [{"Path": "/", "InstanceProfileName": name,
                                        "InstanceProfileId": _ident(state, "AIPA"),
                                        "Arn": _arn(state, "instance-profile", name), "CreateDate": created}]
    state.role_names.append(name)
    return role


def _fixed_roles(state: _Account) -> list[dict[str, Any]]:
    org, account, rng = state.org, state.plan, state.rng
    admin, audit = aws_managed.ADMINISTRATOR.arn, aws_managed.SECURITY_AUDIT.arn
    vendor, vendor_account = org.vendors[int(account.id) % len(org.vendors)]
    saml = {"Federated": f"arn:aws:iam::{account.id}:saml-provider/CorpIdP"}
    roles = []
    if account.kind != "management":
        roles.append(_role_entry(state, "OrganizationAccountAccessRole",
                                 _trust(_allow({"AWS": f"arn:aws:iam::{org.management.id}:root"})),
                                 [_attach(state, admin)]))
    roles += [
        _role_entry(state, "OrganizationAuditRole",
                    _trust(_allow({"AWS": f"arn:aws:iam::{org.security.id}:role/security-auditor"})),
                    [_attach(state, audit), _attach(state, aws_managed.READ_ONLY.arn)]),
        _role_entry(state, "deployer",
                    _trust(_allow({"AWS": f"arn:aws:iam::{org.shared.id}:role/ci-deployer"},
                                  StringEquals={"sts:ExternalId": f"ci-{account.id}"})),
                    [_attach(state, aws_managed.POWER_USER.arn)], path="/ci/"),
        _role_entry(state, "saml-admin", _trust(_allow(saml, "sts:AssumeRoleWithSAML", **SAML_AUDIENCE)),
                    [_attach(state, admin)]),
        _role_entry(state, "saml-developer", _trust(_allow(saml, "sts:AssumeRoleWithSAML", **SAML_AUDIENCE)),
                    [_attach(state, aws_managed.POWER_USER.arn)]),
        _role_entry(state, "saml-readonly", _trust(_allow(saml, "sts:AssumeRoleWithSAML", **SAML_AUDIENCE)),
                    [_attach(state, aws_managed.READ_ONLY.arn)]),
        _role_entry(state, "org-reader",
                    _trust(_allow({"AWS": "*"}, StringEquals={"aws:PrincipalOrgID": org.org_id})),
                    [_attach(state, aws_managed.S3_READ_ONLY.arn)]),
        _role_entry(state, f"{vendor}-integration",
                    _trust(_allow({"AWS": f"arn:aws:iam::{vendor_account}:root"},
                                  StringEquals={"sts:ExternalId": f"{vendor}-{rng.randrange(10**8):08d}"})),
                    [_attach(state, audit)]),
        _role_entry(state, "break-glass",
                    _trust(_allow({"AWS": f"arn:aws:iam::{account.id}:root"},
                                  Bool={"aws:MultiFactorAuthPresent": "true"})),
                    [_attach(state, admin)]),
        _role_entry(state, "AWSServiceRoleForSupport",
                    _trust(_allow({"Service": "support.amazonaws.com"})),
                    [_attach(state, _SUPPORT_POLICY)], path="/aws-service-role/support.amazonaws.com/"),
    ]
    if account.id == org.security.id:
        roles.append(_role_entry(
            state, "security-auditor",
            _trust(_allow({"AWS": f"arn:aws:iam::{account.id}:root"}, Bool={"aws:MultiFactorAuthPresent": "true"})),
            [_attach(state, audit)],
            [{"PolicyName": "assume-audit-roles", "PolicyDocument": document(
                {"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Resource": "arn:aws:iam::*:role/OrganizationAuditRole"})}]))
    if account.id == org.shared.id:
        roles.append(_role_entry(
            state, "ci-deployer", _trust(_allow({"Service": "codebuild.amazonaws.com"})), [],
            [{"PolicyName": "assume-deployers", "PolicyDocument": document(
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/ci/deployer"})}]))
    return roles


def _role(state: _Account, index: int, teams: list[str]) -> dict[str, Any]:
    rng, account, org = state.rng, state.plan, state.org
    team = rng.choice(teams)
    roll, kind = rng.randrange(100), "mixed"
    for candidate, weight in _ROLE_KINDS:
        if roll < weight:
            kind = candidate
            break
        roll -= weight
    common = ((aws_managed.ADMINISTRATOR.arn, 0.01), (aws_managed.POWER_USER.arn, 0.03),
              (aws_managed.READ_ONLY.arn, 0.05), (aws_managed.S3_READ_ONLY.arn, 0.04), (aws_managed.S3_FULL.arn, 0.02))
    attached = _attachments(state, team, 1, 3, common)
    inline = _inline(state, team, 0.3, "role")
    path, profile = "/", False
    if kind == "ec2":
        name, profile = f"{team}-ec2-{index:05d}", True
        trust = _trust(_allow({"Service": "ec2.amazonaws.com"}))
        attached.append(_attach(state, aws_managed.SSM_CORE.arn))
    elif kind == "lambda":
        name, path = f"{team}-fn-{index:05d}", rng.choice(("/", "/service-role/"))
        trust = _trust(_allow({"Service": "lambda.amazonaws.com"}))
        attached.append(_attach(state, aws_managed.LAMBDA_BASIC.arn))
    elif kind == "task":
        name = f"{team}-task-{index:05d}"
        trust = _trust(_allow({"Service": rng.choice(_TASK_SERVICES)}))
    elif kind == "same-principal":
        name = f"{team}-app-{index:05d}"
        named = [rng.choice(state.user_arns)] if state.user_arns and rng.random() < 0.6 else []
        earlier = rng.choice(state.role_names)
        if rng.random() < 0.2:
            named.append(f"arn:aws:sts::{account.id}:assumed-role/{earlier}/session-{rng.randrange(1000)}")
        else:
            named.append(_arn(state, "role", earlier))
        trust = _trust(_allow({"AWS": named if len(named) > 1 else named[0]}))
    elif kind == "same-root-mfa":
        name = f"{team}-admin-{index:05d}"
        trust = _trust(_allow({"AWS": f"arn:aws:iam::{account.id}:root"},
                              Bool={"aws:MultiFactorAuthPresent": "true"}))
    elif kind == "org-account":
        name = f"{team}-xacct-{index:05d}"
        other = rng.choice(_others(state))
        condition: dict[str, Any] = {}
        if rng.random() < 0.3:
            condition["StringLike"] = {"aws:PrincipalArn": f"arn:aws:iam::{other}:role/{team}-*"}
        elif rng.random() < 0.2:
            condition["StringEquals"] = {"sts:ExternalId": f"{team}-{rng.randrange(10**6):06d}"}
        statements = [_allow({"AWS": f"arn:aws:iam::{other}:root"}, **condition)]
        if rng.random() < 0.1:
            statements.append({"Sid": "OnlyFromCorporateNetwork", "Effect": "Deny", "Principal": {"AWS": "*"},
                               "Action": "sts:AssumeRole",
                               "Condition": {"NotIpAddress": {"aws:SourceIp": list(CORPORATE_CIDRS)}}})
        trust = _trust(*statements)
    elif kind == "org-role":
        name = f"{team}-deploy-{index:05d}"
        other = rng.choice(_others(state))
        trusted = rng.choice(("ci/deployer", "OrganizationAccountAccessRole", "OrganizationAuditRole"))
        trust = _trust(_allow({"AWS": f"arn:aws:iam::{other}:role/{trusted}"}))
    elif kind == "org-wide":
        name = f"{team}-shared-{index:05d}"
        trust = _trust(_allow({"AWS": "*"}, StringEquals={"aws:PrincipalOrgID": org.org_id}))
    elif kind in ("vendor", "vendor-no-external-id"):
        vendor, vendor_account = rng.choice(org.vendors)
        name = f"{vendor}-{team}-{index:05d}"
        condition = {"StringEquals": {"sts:ExternalId": f"{vendor}-{rng.randrange(10**8):08d}"}} \
            if kind == "vendor" else {}
        trust = _trust(_allow({"AWS": f"arn:aws:iam::{vendor_account}:root"}, **condition))
    elif kind == "saml":
        name = f"{team}-sso-{index:05d}"
        trust = _trust(_allow({"Federated": f"arn:aws:iam::{account.id}:saml-provider/CorpIdP"},
                              ["sts:AssumeRoleWithSAML", "sts:TagSession"], **SAML_AUDIENCE))
    elif kind == "deleted":
        name = f"{team}-orphan-{index:05d}"
        trust = _trust(_allow({"AWS": _ident(state, "AROA")}))
    else:
        name = f"{team}-worker-{index:05d}"
        trust = _trust(_allow({"Service": "lambda.amazonaws.com"}),
                       _allow({"AWS": f"arn:aws:iam::{account.id}:root"}, ["sts:AssumeRole", "sts:TagSession"]))
    role = _role_entry(state, name, trust, attached, inline, path, team, profile)
    _maybe_boundary(state, role, 0.1)
    return role
