"""The shape of a documented case, and small builders so each case reads like the policy it tests.

Every case names the AWS documentation section it follows (`doc`). Accounts: `A` is the caller's,
`B` another. `ALICE` is an IAM user in `A`; `DEV` a session of role `dev` in `A`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.evaluation import Principal, ResourceKind, principal_from_arn

A = "111111111111"
B = "222222222222"
ALICE_ARN = f"arn:aws:iam::{A}:user/alice"
BOB_ARN = f"arn:aws:iam::{A}:user/bob"
DEV_ARN = f"arn:aws:iam::{A}:role/dev"
BUCKET = "arn:aws:s3:::reports"
OBJECT = "arn:aws:s3:::reports/2024/q1.csv"
ROLE_B = f"arn:aws:iam::{B}:role/vendor-audit"
ROLE_A = f"arn:aws:iam::{A}:role/ops"
KEY_A = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

ALICE = principal_from_arn(
    ALICE_ARN,
    unique_id="AIDAALICE0000000001",
    tags={"team": "red"},
    org_id="o-aaaa1111",
    org_paths=("o-aaaa1111/r-ab12/ou-ab12-11111111/",),
)
BOB = principal_from_arn(BOB_ARN, unique_id="AIDABOB00000000002")
DEV = principal_from_arn(DEV_ARN, unique_id="AROADEV00000000003", tags={"team": "blue"}, org_id="o-aaaa1111")
DEV_SESSION = principal_from_arn(f"arn:aws:sts::{A}:assumed-role/dev/dana", unique_id="AROADEV00000000003")
CAROL_B = principal_from_arn(f"arn:aws:iam::{B}:user/carol", unique_id="AIDACAROL000000004", org_id="o-bbbb2222")
ROOT_A = principal_from_arn(f"arn:aws:iam::{A}:root")
MGMT_USER = principal_from_arn(f"arn:aws:iam::{A}:user/admin", is_management_account=True)
SLR = principal_from_arn(f"arn:aws:iam::{A}:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMR")
EC2 = principal_from_arn("ec2.amazonaws.com")
ANON = principal_from_arn("anonymous")
SAML = principal_from_arn(f"arn:aws:iam::{A}:saml-provider/Okta")

Doc = dict[str, Any]


@dataclass(frozen=True)
class Case:
    id: str
    doc: str
    expect: str
    principal: Principal = ALICE
    action: str = "s3:GetObject"
    resource: str = OBJECT
    identity: tuple[Doc, ...] = ()
    boundary: tuple[Doc, ...] | None = None
    scps: tuple[tuple[Doc, ...], ...] | None = None
    rcps: tuple[tuple[Doc, ...], ...] | None = None
    resource_policy: Doc | None = None
    session: Doc | None = None
    kind: ResourceKind = "generic"
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    complete: bool = False
    resource_account: str | None = None
    resource_in_management_account: bool = False
    pattern: bool = False  # `resource` is a pattern: the question is about some resource matching it
    condition: str | None = None  # the expected describe() when the answer is conditional
    why: str | None = None  # a fragment expected in one of the explanation's reasons


def stmt(
    effect: str,
    action: str | list[str] | None = "*",
    resource: str | list[str] | None = "*",
    *,
    not_action: str | list[str] | None = None,
    not_resource: str | list[str] | None = None,
    principal: Any = None,
    not_principal: Any = None,
    condition: dict[str, dict[str, Any]] | None = None,
    sid: str | None = None,
) -> Doc:
    out: Doc = {"Effect": effect}
    if sid:
        out["Sid"] = sid
    if not_action is not None:
        out["NotAction"] = not_action
    elif action is not None:
        out["Action"] = action
    if not_resource is not None:
        out["NotResource"] = not_resource
    elif resource is not None:
        out["Resource"] = resource
    if principal is not None:
        out["Principal"] = principal
    if not_principal is not None:
        out["NotPrincipal"] = not_principal
    if condition is not None:
        out["Condition"] = condition
    return out


def allow(action: str | list[str] | None = "*", resource: str | list[str] | None = "*", **kw: Any) -> Doc:
    return stmt("Allow", action, resource, **kw)


def deny(action: str | list[str] | None = "*", resource: str | list[str] | None = "*", **kw: Any) -> Doc:
    return stmt("Deny", action, resource, **kw)


def doc(*statements: Doc, version: str | None = "2012-10-17") -> Doc:
    out: Doc = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def aws(*values: str) -> Doc:
    return {"AWS": list(values) if len(values) > 1 else values[0]}


def ctx(*pairs: tuple[str, str | tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """A request context from (key, value or values) pairs."""
    return {key: (value,) if isinstance(value, str) else value for key, value in pairs}


ALLOW_ALL = doc(allow())
FULL_ACCESS = (ALLOW_ALL,)
