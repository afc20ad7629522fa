"""Escalation-prone grants for a generated account: the mistakes that let a principal become another.

`add_escalation_grants(gaad, ...)` gives a small, seeded fraction of an account's users and roles one inline
policy named `escalation-<kind>` that opens one privilege-escalation technique (ids of
service/escalation/catalogue.toml):

    passrole-ec2       iam:PassRole on a role ec2 trusts + ec2:RunInstances          ec2-001
    passrole-lambda    iam:PassRole on a role lambda trusts + Create/InvokeFunction   lambda-001
    passrole-codebuild iam:PassRole on a role codebuild trusts + Create/StartBuild    codebuild-001
    passrole-glue      iam:PassRole on a role glue trusts + glue:CreateDevEndpoint    glue-001
    put-self           iam:Put{User,Role}Policy on itself                             iam-007 / iam-005
    attach-self        iam:Attach{User,Role}Policy on itself                          iam-008 / iam-009
    policy-version     iam:CreatePolicyVersion on a customer policy attached to it    iam-001
    update-trust       iam:UpdateAssumeRolePolicy on one of a few roles               iam-012
    join-group         iam:AddUserToGroup on a group (users only)                     iam-013
    access-key         iam:CreateAccessKey on another user                            iam-002

Half of the PassRole grants carry `iam:PassedToService` naming the right service; a few name another
service (a negative control: that grant does not open the technique). Same GAAD, account and seed, same
grants; nothing else in the document changes, so principal counts stay exact.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

DEFAULT_FRACTION = 0.03
# (kind, weight): the IAM-only kinds dominate, as they do in real findings.
KINDS = (("passrole-ec2", 3), ("passrole-lambda", 3), ("passrole-codebuild", 1), ("passrole-glue", 1),
         ("put-self", 2), ("attach-self", 2), ("policy-version", 2), ("update-trust", 3), ("join-group", 2),
         ("access-key", 1))
SERVICE_OF = {"passrole-ec2": ("ec2.amazonaws.com", ["ec2:RunInstances"]),
              "passrole-lambda": ("lambda.amazonaws.com", ["lambda:CreateFunction", "lambda:InvokeFunction"]),
              "passrole-codebuild": ("codebuild.amazonaws.com", ["codebuild:CreateProject", "codebuild:StartBuild"]),
              "passrole-glue": ("glue.amazonaws.com", ["glue:CreateDevEndpoint"])}
POLICY_PREFIX = "escalation-"
# Roles AWS does not let a customer change; a grant never targets them (the checker must refuse them anyway).
_PROTECTED_PATHS = ("/aws-service-role/", "/aws-reserved/")
_TRUST_TARGETS = 4  # update-trust grants all point at the same few roles, as in real accounts


@dataclass
class EscalationGrants:
    """What was added: holder ARN -> kind, for tests and the cross-check's report."""

    kinds: dict[str, str] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        return sum(1 for value in self.kinds.values() if value == kind)


def add_escalation_grants(gaad: dict[str, Any], *, account_id: str, seed: int,
                          fraction: float = DEFAULT_FRACTION) -> EscalationGrants:
    """Add the grants to `gaad` in place (users' and roles' inline policy lists) and say what was added."""
    rng = random.Random(f"accessgraph-escalation:{seed}:{account_id}")
    users = list(gaad["UserDetailList"])
    roles = [role for role in gaad["RoleDetailList"] if not role["Path"].startswith(_PROTECTED_PATHS)]
    by_service: dict[str, list[str]] = {}
    for role in roles:
        for service in _trusted_services(role):
            by_service.setdefault(service, []).append(role["Arn"])
    trust_targets = sorted(rng.sample([r["Arn"] for r in roles], k=min(_TRUST_TARGETS, len(roles))))
    customer = {policy["Arn"] for policy in gaad["Policies"] if ":aws:policy/" not in policy["Arn"]}
    groups = [group["Arn"] for group in gaad["GroupDetailList"]]
    user_arns = [user["Arn"] for user in users]
    names, weights = zip(*KINDS, strict=True)
    result = EscalationGrants()
    holders = users + roles
    for entity in rng.sample(holders, k=min(len(holders), max(1, round(len(holders) * fraction)))):
        kind = rng.choices(names, weights)[0]
        statements = _statements(rng, kind, entity, by_service=by_service, trust_targets=trust_targets,
                                 customer=customer, groups=groups, users=user_arns)
        if statements is None:
            continue
        key = "UserPolicyList" if "UserName" in entity else "RolePolicyList"
        entity.setdefault(key, []).append({
            "PolicyName": POLICY_PREFIX + kind,
            "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
        })
        result.kinds[entity["Arn"]] = kind
    return result


def _statements(rng: random.Random, kind: str, entity: dict[str, Any], *, by_service: dict[str, list[str]],
                trust_targets: list[str], customer: set[str], groups: list[str],
                users: list[str]) -> list[dict[str, Any]] | None:
    """The statements of one grant, or None when the account has nothing for this kind to point at."""
    own = entity["Arn"]
    is_user = "UserName" in entity
    if kind in SERVICE_OF:
        service, actions = SERVICE_OF[kind]
        if not by_service.get(service):
            return None
        passrole: dict[str, Any] = {"Effect": "Allow", "Action": "iam:PassRole",
                                    "Resource": rng.choice(by_service[service])}
        draw = rng.random()
        if draw < 0.5:
            passrole["Condition"] = {"StringEquals": {"iam:PassedToService": service}}
        elif draw < 0.6:  # names another service: the role cannot be passed to this one
            passrole["Condition"] = {"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}}
        return [passrole, {"Effect": "Allow", "Action": actions, "Resource": "*"}]
    if kind == "put-self":
        return [{"Effect": "Allow", "Action": "iam:PutUserPolicy" if is_user else "iam:PutRolePolicy",
                 "Resource": own}]
    if kind == "attach-self":
        return [{"Effect": "Allow", "Action": "iam:AttachUserPolicy" if is_user else "iam:AttachRolePolicy",
                 "Resource": own}]
    if kind == "policy-version":
        attached = [p["PolicyArn"] for p in entity.get("AttachedManagedPolicies") or () if p["PolicyArn"] in customer]
        if not attached:
            return None
        return [{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": rng.choice(attached)}]
    if kind == "update-trust":
        targets = [arn for arn in trust_targets if arn != own]
        return [{"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": rng.choice(targets)}] \
            if targets else None
    if kind == "join-group":
        if not is_user or not groups:
            return None
        return [{"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": rng.choice(groups)}]
    others = [arn for arn in users if arn != own]  # access-key
    return [{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": rng.choice(others)}] if others else None


def _trusted_services(role: dict[str, Any]) -> set[str]:
    services: set[str] = set()
    for statement in role["AssumeRolePolicyDocument"].get("Statement", ()):
        if statement.get("Effect") != "Allow" or not isinstance(statement.get("Principal"), dict):
            continue
        named = statement["Principal"].get("Service", ())
        services.update([named] if isinstance(named, str) else named)
    return services
