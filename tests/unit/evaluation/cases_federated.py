"""Documented cases: federated user sessions (STS `GetFederationToken`) as principals.

`FIONA` is a federated user session created by alice (an IAM user of `A`); `GUS` one created by carol in `B`.
"""

from __future__ import annotations

from service.evaluation import principal_from_arn

from .casekit import (
    ALICE_ARN,
    ALLOW_ALL,
    BOB_ARN,
    FULL_ACCESS,
    KEY_A,
    OBJECT,
    ROLE_A,
    A,
    B,
    Case,
    allow,
    aws,
    ctx,
    deny,
    doc,
)

GFT = "IAM UG > Permissions for GetFederationToken (the session's permissions: the user's identity policies ∩ session)"
GFT_POLICY = (
    "STS API Reference > GetFederationToken > Policy (no session policy: no permissions; a resource policy naming "
    "the session grants in addition)"
)
GFT_PERMS = (
    "STS API Reference > GetFederationToken > Permissions (no STS operation but GetCallerIdentity; no IAM operation "
    "through the API or CLI)"
)
GFT_CALLER = "STS API Reference > GetFederationToken (called with the long-term credentials of an IAM user or root)"
RBP = "IAM UG > Policy evaluation logic > Resource-based policies (a federated user session named: no implicit deny)"
SESSION = "IAM UG > Policies and permissions in IAM > Session policies (a resource policy naming the user ARN)"
PRINCIPAL = "IAM UG > AWS JSON policy elements: Principal > AWS STS federated user principals"
PRINCIPAL_ACCOUNT = "IAM UG > AWS JSON policy elements: Principal > AWS account principals (delegation)"
KEYS = "IAM UG > AWS global condition context keys > aws:PrincipalType, aws:userid, aws:username, aws:PrincipalArn"
NOTP = "IAM UG > AWS JSON policy elements: NotPrincipal > Key points (every identity listed: account, then session)"
NOTP_BOUNDARY = "IAM UG > AWS JSON policy elements: NotPrincipal > Key points (Deny always denies with a boundary)"
CROSS = "IAM UG > Cross-account policy evaluation logic (identity side AND resource policy)"
SCP = "Organizations UG > Service control policies (SCPs limit the principals of member accounts)"
KMS = "KMS Developer Guide > Key policies (the key policy must allow the principal)"

FIONA_ARN = f"arn:aws:sts::{A}:federated-user/fiona"
GUS_ARN = f"arn:aws:sts::{B}:federated-user/gus"
FIONA = principal_from_arn(FIONA_ARN, parent_user_arn=ALICE_ARN, tags={"team": "green"}, org_id="o-aaaa1111")
FIONA_NO_PARENT = principal_from_arn(FIONA_ARN)
FROM_ROOT = principal_from_arn(f"arn:aws:sts::{A}:federated-user/ops-batch", parent_user_arn=f"arn:aws:iam::{A}:root")
GUS = principal_from_arn(GUS_ARN, parent_user_arn=f"arn:aws:iam::{B}:user/carol")

S3_READ = doc(allow("s3:GetObject", "*"))
EC2_ONLY = doc(allow("ec2:*", "*"))


def naming(*principals: str) -> dict[str, object]:
    return doc(allow("s3:GetObject", OBJECT, principal=aws(*principals)))


def notp_deny(*listed: str) -> dict[str, object]:
    return doc(deny("s3:*", not_principal=aws(*listed)))


def identity_if(operator: str, key: str, value: str) -> dict[str, object]:
    return doc(allow("s3:GetObject", "*", condition={operator: {key: value}}))


CASES: list[Case] = [
    # --- identity side: the user's identity policies ∩ boundary ∩ session policy -----------------------
    Case("fed-identity-and-session-allow", GFT, "Allowed", FIONA, identity=(S3_READ,), session=S3_READ),
    Case(
        "fed-no-session-policy-has-no-permissions",
        GFT_POLICY,
        "ImplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        why="without a session policy has no permissions",
    ),
    Case("fed-session-cannot-widen-the-user", GFT, "ImplicitlyDenied", FIONA, identity=(EC2_ONLY,), session=ALLOW_ALL),
    Case(
        "fed-user-boundary-limits-the-session",
        GFT,
        "ImplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        boundary=(EC2_ONLY,),
        session=ALLOW_ALL,
        why="the permissions boundary does not allow",
    ),
    Case("fed-root-parent-has-full-access-within-session", GFT_CALLER, "Allowed", FROM_ROOT, session=S3_READ),
    Case("fed-root-parent-still-needs-a-session-policy", GFT_POLICY, "ImplicitlyDenied", FROM_ROOT),
    Case(
        "fed-scp-applies", SCP, "ImplicitlyDenied", FIONA, identity=FULL_ACCESS, session=ALLOW_ALL, scps=((EC2_ONLY,),)
    ),
    # --- resource policies, same account -------------------------------------------------------------
    Case(
        "fed-rp-naming-the-session-needs-no-other-policy",
        GFT_POLICY,
        "Allowed",
        FIONA,
        resource_policy=naming(FIONA_ARN),
    ),
    Case(
        "fed-rp-naming-the-session-beats-boundary-and-session",
        RBP,
        "Allowed",
        FIONA,
        boundary=(EC2_ONLY,),
        session=EC2_ONLY,
        resource_policy=naming(FIONA_ARN),
    ),
    Case("fed-rp-star", PRINCIPAL, "Allowed", FIONA, resource_policy=naming("*")),
    Case(
        "fed-rp-other-federated-user",
        PRINCIPAL,
        "ImplicitlyDenied",
        FIONA,
        session=ALLOW_ALL,
        resource_policy=naming(f"arn:aws:sts::{A}:federated-user/fionb"),
    ),
    Case(
        "fed-rp-same-name-other-account",
        PRINCIPAL,
        "ImplicitlyDenied",
        FIONA,
        session=ALLOW_ALL,
        resource_policy=naming(f"arn:aws:sts::{B}:federated-user/fiona"),
    ),
    Case(
        "fed-rp-naming-parent-user-with-session",
        SESSION,
        "Allowed",
        FIONA,
        session=S3_READ,
        resource_policy=naming(ALICE_ARN),
    ),
    Case(
        "fed-rp-naming-parent-user-limited-by-session",
        SESSION,
        "ImplicitlyDenied",
        FIONA,
        session=EC2_ONLY,
        resource_policy=naming(ALICE_ARN),
        why="the session policy does not allow",
    ),
    Case(
        "fed-rp-naming-parent-user-no-session-policy",
        GFT_POLICY,
        "ImplicitlyDenied",
        FIONA,
        resource_policy=naming(ALICE_ARN),
    ),
    Case(
        "fed-rp-naming-parent-user-any-path",
        SESSION,
        "Allowed",
        FIONA,
        session=S3_READ,
        resource_policy=naming(f"arn:aws:iam::{A}:user/staff/alice"),
    ),
    Case(
        "fed-rp-naming-another-user",
        SESSION,
        "ImplicitlyDenied",
        FIONA,
        session=S3_READ,
        resource_policy=naming(BOB_ARN),
    ),
    Case(
        "fed-rp-naming-a-user-parent-unknown",
        SESSION,
        "ImplicitlyDenied",
        FIONA_NO_PARENT,
        session=S3_READ,
        resource_policy=naming(ALICE_ARN),
    ),
    Case(
        "fed-rp-naming-the-account-delegates",
        PRINCIPAL_ACCOUNT,
        "ImplicitlyDenied",
        FIONA,
        session=S3_READ,
        resource_policy=naming(f"arn:aws:iam::{A}:root"),
    ),
    Case(
        "fed-rp-naming-the-account-id-with-identity",
        PRINCIPAL_ACCOUNT,
        "Allowed",
        FIONA,
        identity=(S3_READ,),
        session=S3_READ,
        resource_policy=naming(A),
    ),
    Case(
        "fed-rp-deny-naming-the-session",
        RBP,
        "ExplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=doc(deny("s3:*", principal=aws(FIONA_ARN))),
    ),
    Case(
        "fed-rp-deny-naming-the-parent-user",
        SESSION,
        "ExplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=doc(deny("s3:*", principal=aws(ALICE_ARN))),
    ),
    Case(
        "fed-kms-key-policy-naming-the-session",
        KMS,
        "Allowed",
        FIONA,
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        resource_policy=doc(allow("kms:Decrypt", "*", principal=aws(FIONA_ARN))),
    ),
    # --- across accounts -----------------------------------------------------------------------------
    Case(
        "fed-cross-account-both-sides",
        CROSS,
        "Allowed",
        GUS,
        identity=(S3_READ,),
        session=S3_READ,
        resource_policy=naming(GUS_ARN),
        resource_account=A,
    ),
    Case(
        "fed-cross-account-no-session-policy",
        CROSS,
        "ImplicitlyDenied",
        GUS,
        identity=(S3_READ,),
        resource_policy=naming(GUS_ARN),
        resource_account=A,
    ),
    Case(
        "fed-cross-account-account-delegation",
        CROSS,
        "Allowed",
        GUS,
        identity=(S3_READ,),
        session=S3_READ,
        resource_policy=naming(B),
        resource_account=A,
    ),
    # --- what AWS refuses a federated user session ---------------------------------------------------
    Case(
        "fed-cannot-assume-a-role",
        GFT_PERMS,
        "ExplicitlyDenied",
        FIONA,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(FIONA_ARN))),
        why="AWS refuses sts:AssumeRole to a federated user session",
    ),
    Case(
        "fed-cannot-get-a-session-token",
        GFT_PERMS,
        "ExplicitlyDenied",
        FIONA,
        action="sts:GetSessionToken",
        resource="*",
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
    ),
    Case("fed-get-caller-identity", GFT_PERMS, "Allowed", FIONA, action="sts:GetCallerIdentity", resource="*"),
    Case(
        "fed-iam-through-the-api-is-noted",
        GFT_PERMS,
        "Allowed",
        FIONA,
        action="iam:ListUsers",
        resource="*",
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        why="through the API or CLI, AWS refuses iam:ListUsers",
    ),
    # --- condition keys describing the caller --------------------------------------------------------
    Case(
        "fed-principal-type",
        KEYS,
        "Allowed",
        FIONA,
        identity=(identity_if("StringEquals", "aws:PrincipalType", "FederatedUser"),),
        session=ALLOW_ALL,
    ),
    Case(
        "fed-userid-is-account-and-name",
        KEYS,
        "Allowed",
        FIONA,
        identity=(identity_if("StringEquals", "aws:userid", f"{A}:fiona"),),
        session=ALLOW_ALL,
    ),
    Case(
        "fed-username-absent",
        KEYS,
        "ImplicitlyDenied",
        FIONA,
        identity=(identity_if("StringEquals", "aws:username", "fiona"),),
        session=ALLOW_ALL,
    ),
    Case(
        "fed-principal-arn-is-the-session",
        KEYS,
        "Allowed",
        FIONA,
        resource_policy=doc(
            allow("s3:GetObject", OBJECT, principal="*", condition={"ArnEquals": {"aws:PrincipalArn": FIONA_ARN}})
        ),
    ),
    Case(
        "fed-principal-tag-from-session-tags",
        KEYS,
        "Allowed",
        FIONA,
        identity=(identity_if("StringEquals", "aws:PrincipalTag/team", "green"),),
        session=ALLOW_ALL,
    ),
    Case(
        "fed-userid-in-a-policy-variable",
        KEYS,
        "Allowed",
        FIONA,
        resource=f"arn:aws:s3:::home/{A}:fiona/notes.txt",
        identity=(doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:userid}/*")),),
        session=ALLOW_ALL,
    ),
    Case(
        "fed-given-key-wins",
        KEYS,
        "ImplicitlyDenied",
        FIONA,
        identity=(identity_if("StringEquals", "aws:PrincipalType", "FederatedUser"),),
        session=ALLOW_ALL,
        context=ctx(("aws:principaltype", "User")),
    ),
    # --- NotPrincipal --------------------------------------------------------------------------------
    Case(
        "fed-notp-account-and-session-listed",
        NOTP,
        "Allowed",
        FIONA,
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=notp_deny(A, FIONA_ARN),
    ),
    Case(
        "fed-notp-account-only",
        NOTP,
        "ExplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=notp_deny(A),
    ),
    Case(
        "fed-notp-session-only",
        NOTP,
        "ExplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=notp_deny(FIONA_ARN),
    ),
    Case(
        "fed-notp-deny-with-boundary",
        NOTP_BOUNDARY,
        "ExplicitlyDenied",
        FIONA,
        identity=FULL_ACCESS,
        boundary=FULL_ACCESS,
        session=ALLOW_ALL,
        resource_policy=notp_deny(A, FIONA_ARN),
    ),
]
