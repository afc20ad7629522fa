"""Documented cases: NotPrincipal (Allow and Deny; roles, sessions, account roots, the caller's own ARN;
with a permissions boundary) and session policies against resource policies naming the user, the role,
the role session or the account."""

from __future__ import annotations

from .casekit import (
    ALICE,
    ALICE_ARN,
    ALLOW_ALL,
    ANON,
    BOB,
    CAROL_B,
    DEV_ARN,
    DEV_SESSION,
    EC2,
    FULL_ACCESS,
    OBJECT,
    ROOT_A,
    A,
    B,
    Case,
    allow,
    aws,
    deny,
    doc,
)

NOTP = "IAM UG > AWS JSON policy elements: NotPrincipal > Key points (account, then role, then session)"
NOTP_BOUNDARY = "IAM UG > AWS JSON policy elements: NotPrincipal > Key points (Deny always denies with a boundary)"
NOTP_ALLOW = "IAM UG > AWS JSON policy elements: NotPrincipal (with Allow: everyone not listed, anonymous too)"
NOTP_CROSS = "IAM UG > Cross-account policy evaluation logic (NotPrincipal Deny in the resource account)"
SESSION = "IAM UG > Policies and permissions in IAM > Session policies (resource-based policy naming ...)"
RBP = "IAM UG > Policy evaluation logic > Resource-based policies and implicit denies in other policy types"

ROOT_A_ARN = f"arn:aws:iam::{A}:root"
SESSION_ARN = f"arn:aws:sts::{A}:assumed-role/dev/dana"
OTHER_SESSION_ARN = f"arn:aws:sts::{A}:assumed-role/dev/other"
CAROL_ARN = f"arn:aws:iam::{B}:user/carol"
S3_READ = doc(allow("s3:GetObject", "*"))
EC2_ONLY = doc(allow("ec2:*", "*"))


def notp_deny(*listed: str) -> dict[str, object]:
    return doc(deny("s3:*", not_principal=aws(*listed)))


CASES: list[Case] = [
    # --- NotPrincipal with Deny ---------------------------------------------------------------------
    Case(
        "notp-deny-account-only-denies-user",
        NOTP,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN),
    ),
    Case(
        "notp-deny-account-id-and-user", NOTP, "Allowed", identity=FULL_ACCESS, resource_policy=notp_deny(A, ALICE_ARN)
    ),
    Case(
        "notp-deny-other-user-listed",
        NOTP,
        "ExplicitlyDenied",
        principal=BOB,
        identity=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN, ALICE_ARN),
    ),
    Case(
        "notp-deny-session-role-and-account",
        NOTP,
        "Allowed",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN, DEV_ARN, SESSION_ARN),
    ),
    Case(
        "notp-deny-session-without-role",
        NOTP,
        "ExplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN, SESSION_ARN),
    ),
    Case(
        "notp-deny-session-without-account",
        NOTP,
        "ExplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        resource_policy=notp_deny(DEV_ARN, SESSION_ARN),
    ),
    Case(
        "notp-deny-other-session-listed",
        NOTP,
        "ExplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN, DEV_ARN, OTHER_SESSION_ARN),
    ),
    Case(
        "notp-deny-root-user-spared-by-account",
        NOTP,
        "Allowed",
        principal=ROOT_A,
        resource_policy=notp_deny(ROOT_A_ARN),
    ),
    Case(
        "notp-deny-root-user-other-account-listed",
        NOTP,
        "ExplicitlyDenied",
        principal=ROOT_A,
        resource_policy=notp_deny(f"arn:aws:iam::{B}:root"),
    ),
    Case(
        "notp-deny-cross-account-caller-listed",
        NOTP_CROSS,
        "Allowed",
        principal=CAROL_B,
        identity=FULL_ACCESS,
        resource_account=A,
        resource_policy=doc(allow(principal=aws(CAROL_ARN)), deny("s3:*", not_principal=aws(B, CAROL_ARN))),
    ),
    Case(
        "notp-deny-cross-account-caller-unlisted",
        NOTP_CROSS,
        "ExplicitlyDenied",
        principal=CAROL_B,
        identity=FULL_ACCESS,
        resource_account=A,
        resource_policy=doc(allow(principal=aws(CAROL_ARN)), deny("s3:*", not_principal=aws(A, ALICE_ARN))),
    ),
    Case(
        "notp-deny-boundary-role-session",
        NOTP_BOUNDARY,
        "ExplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        boundary=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN, DEV_ARN, SESSION_ARN),
    ),
    Case(
        "notp-deny-empty-boundary-list-is-none",
        NOTP_BOUNDARY,
        "Allowed",
        identity=FULL_ACCESS,
        boundary=(),
        resource_policy=notp_deny(ROOT_A_ARN, ALICE_ARN),
    ),
    Case(
        "notp-deny-boundary-other-action",
        NOTP_BOUNDARY,
        "Allowed",
        action="sqs:SendMessage",
        resource=f"arn:aws:sqs:us-east-1:{A}:q",
        identity=FULL_ACCESS,
        boundary=FULL_ACCESS,
        resource_policy=notp_deny(ROOT_A_ARN, ALICE_ARN),
    ),
    Case(
        "notp-deny-service-listed",
        NOTP,
        "Allowed",
        principal=EC2,
        resource_policy=doc(
            allow(principal={"Service": "ec2.amazonaws.com"}),
            deny("s3:*", not_principal={"Service": "ec2.amazonaws.com"}),
        ),
    ),
    Case(
        "notp-deny-service-unlisted",
        NOTP,
        "ExplicitlyDenied",
        principal=EC2,
        resource_policy=doc(
            allow(principal={"Service": "ec2.amazonaws.com"}),
            deny("s3:*", not_principal={"Service": "lambda.amazonaws.com"}),
        ),
    ),
    # --- NotPrincipal with Allow --------------------------------------------------------------------
    Case(
        "notp-allow-grants-anonymous",
        NOTP_ALLOW,
        "Allowed",
        principal=ANON,
        resource_policy=doc(allow("s3:GetObject", not_principal=aws(ALICE_ARN))),
    ),
    Case(
        "notp-allow-grants-session",
        NOTP_ALLOW,
        "Allowed",
        principal=DEV_SESSION,
        resource_policy=doc(allow("s3:GetObject", not_principal=aws(ALICE_ARN))),
    ),
    Case(
        "notp-allow-listed-role-session",
        NOTP_ALLOW,
        "ImplicitlyDenied",
        principal=DEV_SESSION,
        resource_policy=doc(allow("s3:GetObject", not_principal=aws(ROOT_A_ARN, DEV_ARN, SESSION_ARN))),
    ),
    Case(
        "notp-allow-cross-account-needs-identity",
        NOTP_ALLOW,
        "ImplicitlyDenied",
        principal=CAROL_B,
        resource_account=A,
        resource_policy=doc(allow("s3:GetObject", not_principal=aws(ALICE_ARN))),
    ),
    # --- session policies and resource policies -----------------------------------------------------
    Case(
        "session-resource-names-role-session-policy-silent",
        SESSION,
        "ImplicitlyDenied",
        principal=DEV_SESSION,
        session=EC2_ONLY,
        resource_policy=doc(allow(principal=aws(DEV_ARN))),
    ),
    Case(
        "session-resource-names-role-session-policy-allows",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        session=S3_READ,
        resource_policy=doc(allow(principal=aws(DEV_ARN))),
    ),
    Case(
        "session-resource-names-session-not-limited",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        session=EC2_ONLY,
        resource_policy=doc(allow(principal=aws(SESSION_ARN))),
    ),
    Case(
        "session-resource-names-account-needs-identity-and-session",
        SESSION,
        "ImplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        session=EC2_ONLY,
        resource_policy=doc(allow(principal=aws(ROOT_A_ARN))),
    ),
    Case(
        "session-resource-names-account-all-allow",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        session=S3_READ,
        resource_policy=doc(allow(principal=aws(A))),
    ),
    Case(
        "session-resource-names-user-session-policy-silent",
        SESSION,
        "ImplicitlyDenied",
        principal=ALICE,
        session=EC2_ONLY,
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "session-resource-names-user-session-policy-allows",
        SESSION,
        "Allowed",
        principal=ALICE,
        session=S3_READ,
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "session-resource-names-user-no-session",
        RBP,
        "Allowed",
        principal=ALICE,
        boundary=(EC2_ONLY,),
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "session-resource-names-session-boundary-silent",
        RBP,
        "Allowed",
        principal=DEV_SESSION,
        boundary=(EC2_ONLY,),
        resource_policy=doc(allow(principal=aws(SESSION_ARN))),
    ),
    Case(
        "session-deny-beats-resource-naming-session",
        SESSION,
        "ExplicitlyDenied",
        principal=DEV_SESSION,
        session=doc(allow(), deny("s3:GetObject")),
        resource_policy=doc(allow(principal=aws(SESSION_ARN))),
    ),
    Case(
        "session-cross-account-session-named",
        SESSION,
        "ImplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        session=EC2_ONLY,
        resource=OBJECT,
        resource_account=B,
        resource_policy=doc(allow(principal=aws(SESSION_ARN))),
    ),
    Case(
        "session-cross-account-all-allow",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        session=S3_READ,
        resource=OBJECT,
        resource_account=B,
        resource_policy=doc(allow(principal=aws(SESSION_ARN))),
    ),
    Case(
        "session-resource-names-everyone",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        session=EC2_ONLY,
        resource_policy=doc(allow(principal="*")),
    ),
    Case(
        "session-policy-alone-with-identity",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        identity=(ALLOW_ALL,),
        session=S3_READ,
    ),
]
