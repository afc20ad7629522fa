"""Documented cases: how policy types combine (same account, cross-account, boundaries, sessions,
SCPs, RCPs, trust and key policies, principals)."""

from __future__ import annotations

from .casekit import (
    ALICE_ARN,
    ALLOW_ALL,
    ANON,
    BOB_ARN,
    CAROL_B,
    DEV,
    DEV_ARN,
    DEV_SESSION,
    EC2,
    FULL_ACCESS,
    MGMT_USER,
    ROOT_A,
    SLR,
    A,
    B,
    Case,
    allow,
    aws,
    deny,
    doc,
)

EVAL = "IAM UG > Policy evaluation logic > Determining whether a request is allowed or denied within an account"
RBP = "IAM UG > Policy evaluation logic > Resource-based policies and implicit denies in other policy types"
ID_VS_RES = "IAM UG > Policy evaluation logic > Evaluating identity-based policies with resource-based policies"
CROSS = "IAM UG > Cross-account policy evaluation logic"
BOUNDARY = "IAM UG > Permissions boundaries for IAM entities > Evaluating effective permissions with boundaries"
SESSION = "IAM UG > Policies and permissions in IAM > Session policies"
SCP = "Organizations UG > Service control policies (SCPs) > SCP evaluation (an Allow at every level)"
SCP_EXEMPT = "Organizations UG > Service control policies (SCPs) > Tasks and entities not restricted by SCPs"
RCP = "Organizations UG > Resource control policies (RCPs) > RCP evaluation"
RCP_SYNTAX = "Organizations UG > RCP syntax > Allow is only supported in RCPFullAWSAccess (attached at every level)"
BOUNDARY_SET = "IAM UG > Permissions boundaries for IAM entities (an entity has one boundary or none)"
RCP_EXEMPT = "Organizations UG > Resource control policies (RCPs) > Tasks and entities not restricted by RCPs"
TRUST = "IAM UG > Policy evaluation logic > role trust policies and KMS key policies must explicitly allow"
P_ACCOUNT = "IAM UG > IAM JSON policy elements: Principal > AWS account principals"
P_ROLE = "IAM UG > IAM JSON policy elements: Principal > IAM role principals"
P_SESSION = "IAM UG > IAM JSON policy elements: Principal > Role session principals"
P_SERVICE = "IAM UG > IAM JSON policy elements: Principal > AWS service principals"
P_ALL = "IAM UG > IAM JSON policy elements: Principal > All principals"
P_SAML = "IAM UG > IAM JSON policy elements: Principal > SAML session principals"
NOTPRINCIPAL = "IAM UG > IAM JSON policy elements: NotPrincipal"
STS = "STS API Reference > AssumeRole (root user credentials cannot call AssumeRole)"
KMS = "KMS Developer Guide > Key policies > Default key policy (allowing the account enables IAM policies)"
GROUPS = "IAM UG > IAM user groups (group policies are identity-based policies of each member)"
UNIQUE_IDS = "IAM UG > IAM JSON policy elements: Principal > IAM role principals (unique principal ID)"
TAG_SESSION = "IAM UG > Passing session tags in AWS STS (sts:TagSession is a separate permission)"

S3_GET = doc(allow("s3:GetObject", "arn:aws:s3:::reports/*"))
ASSUME_ANY = doc(allow("sts:AssumeRole", "*"))
TRUST_ACCOUNT_A = doc(allow("sts:AssumeRole", None, principal=aws(f"arn:aws:iam::{A}:root")))
TRUST_ALICE = doc(allow("sts:AssumeRole", None, principal=aws(ALICE_ARN)))

CASES: list[Case] = [
    # --- within one account -------------------------------------------------------------------
    Case("no-policy-implicit-deny", EVAL, "ImplicitlyDenied", why="no identity-based policy allows"),
    Case("identity-allow", EVAL, "Allowed", identity=(S3_GET,)),
    Case("identity-allow-other-action", EVAL, "ImplicitlyDenied", action="s3:PutObject", identity=(S3_GET,)),
    Case("identity-deny-beats-allow", EVAL, "ExplicitlyDenied", identity=(doc(allow(), deny("s3:*")),)),
    Case("deny-in-group-policy", GROUPS, "ExplicitlyDenied", identity=(S3_GET, doc(deny("s3:Get*")))),
    Case("allow-only-from-group-policy", GROUPS, "Allowed", identity=(doc(allow("ec2:*")), S3_GET)),
    Case("resource-allow-user-arn-alone", ID_VS_RES, "Allowed", resource_policy=doc(allow(principal=aws(ALICE_ARN)))),
    Case(
        "resource-deny-beats-identity-allow",
        EVAL,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        resource_policy=doc(deny("s3:GetObject", principal="*")),
    ),
    Case(
        "identity-deny-beats-resource-allow",
        EVAL,
        "ExplicitlyDenied",
        identity=(doc(deny("s3:*")),),
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "resource-names-account-only-delegates",
        P_ACCOUNT,
        "ImplicitlyDenied",
        resource_policy=doc(allow(principal=aws(A))),
    ),
    Case(
        "resource-names-account-plus-identity",
        P_ACCOUNT,
        "Allowed",
        identity=(S3_GET,),
        resource_policy=doc(allow(principal=aws(f"arn:aws:iam::{A}:root"))),
    ),
    Case("resource-star-same-account", P_ALL, "Allowed", resource_policy=doc(allow("s3:GetObject", principal="*"))),
    Case(
        "resource-names-other-user", ID_VS_RES, "ImplicitlyDenied", resource_policy=doc(allow(principal=aws(BOB_ARN)))
    ),
    Case("root-user-full-access", EVAL, "Allowed", principal=ROOT_A),
    Case(
        "root-user-resource-deny", EVAL, "ExplicitlyDenied", principal=ROOT_A, resource_policy=doc(deny(principal="*"))
    ),
    Case(
        "explanation-names-deny-statement",
        EVAL,
        "ExplicitlyDenied",
        identity=(doc(allow(), deny("s3:*", sid="NoS3")),),
        why="Deny applies",
    ),
    # --- permissions boundaries -----------------------------------------------------------------
    Case("boundary-and-identity-allow", BOUNDARY, "Allowed", identity=FULL_ACCESS, boundary=(S3_GET,)),
    Case(
        "boundary-does-not-allow", BOUNDARY, "ImplicitlyDenied", identity=FULL_ACCESS, boundary=(doc(allow("ec2:*")),)
    ),
    Case("boundary-alone-grants-nothing", BOUNDARY, "ImplicitlyDenied", boundary=FULL_ACCESS),
    Case("boundary-deny", BOUNDARY, "ExplicitlyDenied", identity=FULL_ACCESS, boundary=(doc(allow(), deny("s3:*")),)),
    Case("empty-boundary-list-is-no-boundary", BOUNDARY_SET, "Allowed", identity=FULL_ACCESS, boundary=()),
    Case(
        "boundary-conditional",
        BOUNDARY,
        "Allowed",
        identity=FULL_ACCESS,
        boundary=(doc(allow(condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),),
        condition='aws:RequestedRegion StringEquals "eu-west-1"',
    ),
    Case(
        "resource-grant-to-user-not-limited-by-boundary",
        RBP,
        "Allowed",
        boundary=(doc(allow("ec2:*")),),
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "resource-grant-to-role-limited-by-boundary",
        RBP,
        "ImplicitlyDenied",
        principal=DEV,
        boundary=(doc(allow("ec2:*")),),
        resource_policy=doc(allow(principal=aws(DEV_ARN))),
    ),
    Case(
        "resource-grant-to-role-needs-no-identity-allow",
        RBP,
        "Allowed",
        principal=DEV,
        resource_policy=doc(allow(principal=aws(DEV_ARN))),
    ),
    Case(
        "resource-grant-to-session-not-limited-by-boundary",
        RBP,
        "Allowed",
        principal=DEV_SESSION,
        boundary=(doc(allow("ec2:*")),),
        resource_policy=doc(allow(principal=aws(f"arn:aws:sts::{A}:assumed-role/dev/dana"))),
    ),
    Case(
        "resource-grant-to-account-limited-by-boundary",
        RBP,
        "ImplicitlyDenied",
        identity=FULL_ACCESS,
        boundary=(doc(allow("ec2:*")),),
        resource_policy=doc(allow(principal=aws(A))),
    ),
    # --- session policies ------------------------------------------------------------------------
    Case("session-and-identity-allow", SESSION, "Allowed", principal=DEV, identity=FULL_ACCESS, session=S3_GET),
    Case(
        "session-does-not-allow",
        SESSION,
        "ImplicitlyDenied",
        principal=DEV,
        identity=FULL_ACCESS,
        session=doc(allow("ec2:*")),
    ),
    Case("session-deny", SESSION, "ExplicitlyDenied", principal=DEV, identity=FULL_ACCESS, session=doc(deny("s3:*"))),
    Case("session-alone-grants-nothing", SESSION, "ImplicitlyDenied", principal=DEV, session=ALLOW_ALL),
    Case(
        "resource-grant-to-role-limited-by-session",
        SESSION,
        "ImplicitlyDenied",
        principal=DEV,
        session=doc(allow("ec2:*")),
        resource_policy=doc(allow(principal=aws(DEV_ARN))),
    ),
    Case(
        "resource-grant-to-session-not-limited-by-session-policy",
        SESSION,
        "Allowed",
        principal=DEV_SESSION,
        session=doc(allow("ec2:*")),
        resource_policy=doc(allow(principal=aws(f"arn:aws:sts::{A}:assumed-role/dev/dana"))),
    ),
    # --- SCPs --------------------------------------------------------------------------------------
    Case("scp-allow-all-levels", SCP, "Allowed", identity=FULL_ACCESS, scps=((ALLOW_ALL,), (ALLOW_ALL,), (S3_GET,))),
    Case("scp-deny", SCP, "ExplicitlyDenied", identity=FULL_ACCESS, scps=((ALLOW_ALL, doc(deny("s3:*"))),)),
    Case(
        "scp-ou-level-missing-allow",
        SCP,
        "ImplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL,), (doc(allow("ec2:*")),), (ALLOW_ALL,)),
        why="level 1",
    ),
    Case("scp-empty-level", SCP, "ImplicitlyDenied", identity=FULL_ACCESS, scps=((ALLOW_ALL,), ())),
    Case("scp-grants-nothing", SCP, "ImplicitlyDenied", scps=((ALLOW_ALL,),)),
    Case(
        "scp-limits-resource-policy-grant",
        SCP,
        "ImplicitlyDenied",
        scps=((doc(allow("ec2:*")),),),
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "scp-applies-to-member-root-user",
        SCP,
        "ExplicitlyDenied",
        principal=ROOT_A,
        scps=((ALLOW_ALL, doc(deny("s3:*"))),),
    ),
    Case(
        "scp-not-for-management-account",
        SCP_EXEMPT,
        "Allowed",
        principal=MGMT_USER,
        identity=FULL_ACCESS,
        scps=((doc(deny()),),),
        why="management account",
    ),
    Case(
        "scp-not-for-service-linked-role",
        SCP_EXEMPT,
        "Allowed",
        principal=SLR,
        identity=FULL_ACCESS,
        scps=((doc(deny()),),),
    ),
    Case(
        "scp-not-for-service-principal",
        SCP_EXEMPT,
        "Allowed",
        principal=EC2,
        scps=((doc(deny()),),),
        resource_policy=doc(allow(principal={"Service": "ec2.amazonaws.com"})),
    ),
    Case(
        "scp-conditional-region-deny",
        SCP,
        "Allowed",
        identity=FULL_ACCESS,
        scps=(
            (
                ALLOW_ALL,
                doc(deny(condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}})),
            ),
        ),
        condition='NOT aws:RequestedRegion StringNotEquals ["eu-west-1", "eu-central-1"]',
    ),
    Case(
        "scp-principal-tag-decided",
        SCP,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, doc(deny(condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))),),
    ),
    Case(
        "scp-notaction-allow-list",
        SCP,
        "ImplicitlyDenied",
        action="iam:CreateUser",
        resource="*",
        identity=FULL_ACCESS,
        scps=((doc(allow(None, "*", not_action=["iam:*", "organizations:*"])),),),
    ),
    # --- RCPs --------------------------------------------------------------------------------------
    Case(
        "rcp-denies-outside-org",
        RCP,
        "ExplicitlyDenied",
        principal=CAROL_B,
        identity=FULL_ACCESS,
        resource_account=A,
        resource_policy=doc(allow(principal=aws(B))),
        rcps=(
            (
                doc(
                    allow(principal="*"),
                    deny(principal="*", condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaa1111"}}),
                ),
            ),
        ),
    ),
    Case(
        "rcp-allows-inside-org",
        RCP,
        "Allowed",
        identity=FULL_ACCESS,
        rcps=(
            (
                doc(
                    allow(principal="*"),
                    deny(principal="*", condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaa1111"}}),
                ),
            ),
        ),
    ),
    Case(
        "rcp-level-without-allow-denies-nothing",
        RCP_SYNTAX,
        "Allowed",
        identity=FULL_ACCESS,
        rcps=((doc(allow("ec2:*", principal="*")),),),
    ),
    Case(
        "rcp-not-for-management-account-resources",
        RCP_EXEMPT,
        "Allowed",
        identity=FULL_ACCESS,
        rcps=((doc(deny(principal="*")),),),
        resource_in_management_account=True,
    ),
    Case(
        "rcp-not-for-service-linked-role",
        RCP_EXEMPT,
        "Allowed",
        principal=SLR,
        identity=FULL_ACCESS,
        rcps=((doc(deny(principal="*")),),),
    ),
    Case(
        "rcp-applies-to-service-principal",
        RCP,
        "ExplicitlyDenied",
        principal=EC2,
        resource_policy=doc(allow(principal={"Service": "ec2.amazonaws.com"})),
        rcps=(
            (
                doc(
                    allow(principal="*"), deny(principal="*", condition={"Bool": {"aws:PrincipalIsAWSService": "true"}})
                ),
            ),
        ),
    ),
    Case(
        "rcp-applies-to-anonymous",
        RCP,
        "ExplicitlyDenied",
        principal=ANON,
        resource_policy=doc(allow("s3:GetObject", principal="*")),
        rcps=((doc(allow(principal="*"), deny(principal="*", condition={"Null": {"aws:PrincipalAccount": "true"}})),),),
    ),
    # --- across accounts ---------------------------------------------------------------------------
    Case("cross-identity-only", CROSS, "ImplicitlyDenied", identity=FULL_ACCESS, resource_account=B),
    Case(
        "cross-resource-only",
        CROSS,
        "ImplicitlyDenied",
        resource_account=B,
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
        why="cross-account",
    ),
    Case(
        "cross-both",
        CROSS,
        "Allowed",
        identity=(S3_GET,),
        resource_account=B,
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "cross-resource-names-account",
        CROSS,
        "Allowed",
        identity=(S3_GET,),
        resource_account=B,
        resource_policy=doc(allow(principal=aws(A))),
    ),
    Case(
        "cross-resource-names-other-account",
        CROSS,
        "ImplicitlyDenied",
        identity=(S3_GET,),
        resource_account=B,
        resource_policy=doc(allow(principal=aws(B))),
    ),
    Case(
        "cross-resource-star-needs-identity",
        P_ALL,
        "ImplicitlyDenied",
        resource_account=B,
        resource_policy=doc(allow(principal="*")),
    ),
    Case(
        "cross-resource-star-with-identity",
        P_ALL,
        "Allowed",
        identity=(S3_GET,),
        resource_account=B,
        resource_policy=doc(allow(principal="*")),
    ),
    Case(
        "cross-resource-deny",
        CROSS,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        resource_account=B,
        resource_policy=doc(allow(principal="*"), deny(principal=aws(A))),
    ),
    Case(
        "cross-boundary-limits",
        CROSS,
        "ImplicitlyDenied",
        identity=FULL_ACCESS,
        boundary=(doc(allow("ec2:*")),),
        resource_account=B,
        resource_policy=doc(allow(principal=aws(ALICE_ARN))),
    ),
    Case(
        "cross-callers-scp-deny",
        CROSS,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, doc(deny("s3:*"))),),
        resource_account=B,
        resource_policy=doc(allow(principal=aws(A))),
    ),
    Case(
        "cross-account-from-arn",
        CROSS,
        "ImplicitlyDenied",
        action="sqs:SendMessage",
        resource=f"arn:aws:sqs:us-east-1:{B}:jobs",
        identity=FULL_ACCESS,
    ),
]
