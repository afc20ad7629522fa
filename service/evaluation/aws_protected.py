"""What no policy overrides: requests AWS refuses or always grants whatever the policies say.

Kept as data so privilege-escalation analysis can import it: an escalation that needs one of the refused
requests (rewrite a service-linked role's trust policy, version an AWS managed policy) does not exist.

Sources:
- IAM UG > Service-linked roles ("the linked service defines the permissions... you can't edit them";
  only the description may be edited, and the role is deleted through `iam:DeleteServiceLinkedRole`).
- IAM Identity Center UG > Service-linked / IAM Identity Center roles (`/aws-reserved/sso.amazonaws.com/`,
  `AWSReservedSSO_*`: "you can't modify them in IAM").
- IAM UG > AWS managed policies ("You cannot change the permissions defined in AWS managed policies").
- KMS Developer Guide > Aliases > AWS managed aliases (`alias/aws/...`: "You cannot create, update or
  delete" them).
- STS API Reference > GetCallerIdentity ("No permissions are required... If an administrator attaches a
  policy to your identity that explicitly denies access to the sts:GetCallerIdentity action, you can
  still perform this operation").
- STS API Reference > GetFederationToken > Permissions: a federated user session "cannot call any IAM
  operations using the AWS CLI or the AWS API" (a console session can) and "cannot call any STS operations
  except GetCallerIdentity".
- Amazon EC2 Auto Scaling UG > Service-linked roles: a custom-suffix Auto Scaling service-linked role is
  passed to a group with `iam:PassRole`, the one documented pass of a service-linked role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROLE_WRITES = (
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:UpdateRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:PassRole",
)


@dataclass(frozen=True, slots=True)
class Protection:
    """AWS refuses `actions` on resources matching `resource` (a regex over the resource ARN), whatever any
    policy says. `exempt` lists (action, resource regex) pairs AWS documents as allowed after all."""

    name: str
    resource: re.Pattern[str]
    actions: frozenset[str]
    doc: str
    exempt: tuple[tuple[str, re.Pattern[str]], ...] = ()

    def refuses(self, action_lower: str, resource: str) -> bool:
        if action_lower not in self.actions or self.resource.match(resource) is None:
            return False
        return not any(action_lower == a and r.match(resource) for a, r in self.exempt)


def _actions(*names: str) -> frozenset[str]:
    return frozenset(name.lower() for name in names)


_PARTITION = r"arn:aws[\w-]*"

PROTECTIONS: tuple[Protection, ...] = (
    Protection(
        "service-linked role",
        re.compile(_PARTITION + r":iam::\d{12}:role/aws-service-role/"),
        _actions(*_ROLE_WRITES),
        "IAM UG > Service-linked roles (permissions and trust are defined by the linked service)",
        exempt=(("iam:passrole", re.compile(_PARTITION + r":iam::\d{12}:role/aws-service-role/autoscaling\.")),),
    ),
    Protection(
        "AWS-reserved role",
        re.compile(_PARTITION + r":iam::\d{12}:role/(aws-reserved/|(.*/)?AWSReservedSSO_)"),
        _actions(*_ROLE_WRITES, "iam:UpdateRoleDescription"),
        "IAM Identity Center UG > IAM Identity Center created roles (AWSReservedSSO_*, /aws-reserved/)",
    ),
    Protection(
        "AWS managed policy",
        re.compile(_PARTITION + r":iam::aws:policy/"),
        _actions(
            "iam:CreatePolicy",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicy",
            "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
        ),
        "IAM UG > Managed policies and inline policies > AWS managed policies (cannot be changed)",
    ),
    Protection(
        "AWS managed KMS alias",
        re.compile(_PARTITION + r":kms:[^:]*:\d{12}:alias/aws/"),
        _actions("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"),
        "KMS Developer Guide > Aliases > AWS managed aliases (alias/aws/...) cannot be created, updated or deleted",
    ),
)

# Actions every caller may perform: no permission is needed and no Deny stops them.
NO_PERMISSION_NEEDED: dict[str, str] = {
    "sts:getcalleridentity": "STS API Reference > GetCallerIdentity (no permissions are required, no Deny stops it)",
}


def refused_by_aws(action: str, resource: str) -> Protection | None:
    """The protection that makes AWS refuse `action` on `resource`, if any."""
    action_lower = action.lower()
    return next((p for p in PROTECTIONS if p.refuses(action_lower, resource)), None)


@dataclass(frozen=True, slots=True)
class CallerRestriction:
    """AWS refuses every action of `services` to callers of `kinds`, whatever any policy says; with
    `console_allowed`, only through the API and CLI (a console session of the same caller may)."""

    name: str
    kinds: frozenset[str]
    services: frozenset[str]
    doc: str
    console_allowed: bool = False

    def refuses(self, kind: str, action_lower: str) -> bool:
        if kind not in self.kinds or action_lower in NO_PERMISSION_NEEDED:
            return False
        return action_lower.partition(":")[0] in self.services


_FEDERATION_DOC = "STS API Reference > GetFederationToken > Permissions"

CALLER_RESTRICTIONS: tuple[CallerRestriction, ...] = (
    CallerRestriction(
        "federated user session",
        frozenset({"federated-user"}),
        frozenset({"sts"}),
        f"{_FEDERATION_DOC} (no STS operation except GetCallerIdentity)",
    ),
    CallerRestriction(
        "federated user session",
        frozenset({"federated-user"}),
        frozenset({"iam"}),
        f"{_FEDERATION_DOC} (no IAM operation through the API or CLI; a console session may)",
        console_allowed=True,
    ),
)


def restricted_for_caller(kind: str, action: str) -> CallerRestriction | None:
    """The restriction AWS places on callers of `kind` for `action`, if any."""
    action_lower = action.lower()
    return next((r for r in CALLER_RESTRICTIONS if r.refuses(kind, action_lower)), None)
