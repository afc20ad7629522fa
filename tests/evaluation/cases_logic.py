"""Documented cases: how policy types combine (same account, cross-account, boundaries, sessions,
SCPs, RCPs, trust and key policies, principals)."""

from __future__ import annotations

from .casekit import (
    ALICE_ARN,
    ALLOW_ALL,
    ANON,
    BOB_ARN,
    BUCKET,
    CAROL_B,
    DEV,
    DEV_ARN,
    DEV_SESSION,
    EC2,
    FULL_ACCESS,
    KEY_A,
    MGMT_USER,
    OBJECT,
    ROLE_A,
    ROLE_B,
    ROOT_A,
    SAML,
    SLR,
    A,
    B,
    Case,
    allow,
    aws,
    ctx,
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
    Case("empty-boundary-allows-nothing", BOUNDARY, "ImplicitlyDenied", identity=FULL_ACCESS, boundary=()),
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
        "rcp-level-missing-allow",
        RCP,
        "ImplicitlyDenied",
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
    # --- role trust policies -----------------------------------------------------------------------
    Case(
        "trust-same-account-names-user",
        TRUST,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=TRUST_ALICE,
    ),
    Case(
        "trust-same-account-names-account-delegates",
        TRUST,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=TRUST_ACCOUNT_A,
        why="no identity-based policy allows",
    ),
    Case(
        "trust-same-account-delegation-with-identity",
        TRUST,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        resource_policy=TRUST_ACCOUNT_A,
    ),
    Case(
        "trust-must-allow-even-with-identity",
        TRUST,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(BOB_ARN))),
        why="trust policy must allow",
    ),
    Case(
        "trust-missing",
        TRUST,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        identity=(ASSUME_ANY,),
    ),
    Case(
        "trust-cross-account-both",
        CROSS,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_B,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        resource_policy=TRUST_ALICE,
    ),
    Case(
        "trust-cross-account-no-identity",
        CROSS,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_B,
        kind="role-trust",
        resource_policy=TRUST_ALICE,
    ),
    Case(
        "trust-deny",
        TRUST,
        "ExplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(
            allow("sts:AssumeRole", None, principal=aws(ALICE_ARN)), deny("sts:AssumeRole", None, principal=aws(A))
        ),
    ),
    Case(
        "trust-tagsession-only-no-assume",
        TAG_SESSION,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        identity=FULL_ACCESS,
        resource_policy=doc(allow("sts:TagSession", None, principal=aws(ALICE_ARN))),
    ),
    Case(
        "trust-tagsession-grants-tagsession",
        TAG_SESSION,
        "Allowed",
        action="sts:TagSession",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:TagSession", None, principal=aws(ALICE_ARN))),
    ),
    Case(
        "trust-external-id-undecided",
        TRUST,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_B,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        resource_policy=doc(
            allow(
                "sts:AssumeRole", None, principal=aws(A), condition={"StringEquals": {"sts:ExternalId": "vendor-7731"}}
            )
        ),
        condition='sts:ExternalId StringEquals "vendor-7731"',
    ),
    Case(
        "trust-external-id-given",
        TRUST,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_B,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        context=ctx(("sts:ExternalId", "vendor-7731")),
        resource_policy=doc(
            allow(
                "sts:AssumeRole", None, principal=aws(A), condition={"StringEquals": {"sts:ExternalId": "vendor-7731"}}
            )
        ),
    ),
    Case(
        "trust-external-id-wrong",
        TRUST,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_B,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        context=ctx(("sts:ExternalId", "guess")),
        resource_policy=doc(
            allow(
                "sts:AssumeRole", None, principal=aws(A), condition={"StringEquals": {"sts:ExternalId": "vendor-7731"}}
            )
        ),
    ),
    Case(
        "trust-external-id-missing",
        TRUST,
        "ImplicitlyDenied",
        action="sts:AssumeRole",
        resource=ROLE_B,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        complete=True,
        resource_policy=doc(
            allow(
                "sts:AssumeRole", None, principal=aws(A), condition={"StringEquals": {"sts:ExternalId": "vendor-7731"}}
            )
        ),
    ),
    Case(
        "trust-unknown-unique-id",
        UNIQUE_IDS,
        "ImplicitlyDenied",
        principal=DEV,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        identity=(ASSUME_ANY,),
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws("AROAGONE0000000000001"))),
        why="AROAGONE0000000000001",
    ),
    Case(
        "trust-unique-id-of-caller",
        UNIQUE_IDS,
        "Allowed",
        principal=DEV,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws("AROADEV00000000003"))),
    ),
    Case(
        "trust-service-principal",
        P_SERVICE,
        "Allowed",
        principal=EC2,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal={"Service": "ec2.amazonaws.com"})),
    ),
    Case(
        "trust-other-service",
        P_SERVICE,
        "ImplicitlyDenied",
        principal=EC2,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal={"Service": "lambda.amazonaws.com"})),
    ),
    Case(
        "trust-saml-conditional",
        P_SAML,
        "Allowed",
        principal=SAML,
        action="sts:AssumeRoleWithSAML",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(
            allow(
                "sts:AssumeRoleWithSAML",
                None,
                principal={"Federated": f"arn:aws:iam::{A}:saml-provider/Okta"},
                condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            )
        ),
        condition='SAML:aud StringEquals "https://signin.aws.amazon.com/saml"',
    ),
    Case(
        "trust-root-user-cannot-assume",
        STS,
        "ImplicitlyDenied",
        principal=ROOT_A,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=TRUST_ACCOUNT_A,
        why="root user cannot assume",
    ),
    Case(
        "trust-role-chaining-names-role",
        P_ROLE,
        "Allowed",
        principal=DEV,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(DEV_ARN))),
    ),
    Case(
        "trust-role-chaining-limited-by-boundary",
        P_ROLE,
        "ImplicitlyDenied",
        principal=DEV,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        boundary=(doc(allow("s3:*")),),
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(DEV_ARN))),
    ),
    Case(
        "trust-names-session-unknown-name",
        P_SESSION,
        "Allowed",
        principal=DEV,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(f"arn:aws:sts::{A}:assumed-role/dev/ci"))),
        condition='aws:userid StringLike "*:ci"',
    ),
    Case(
        "trust-names-session-userid-given",
        P_SESSION,
        "Allowed",
        principal=DEV,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        context=ctx(("aws:userid", "AROADEV00000000003:ci")),
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(f"arn:aws:sts::{A}:assumed-role/dev/ci"))),
    ),
    Case(
        "trust-names-other-session",
        P_SESSION,
        "ImplicitlyDenied",
        principal=DEV_SESSION,
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(f"arn:aws:sts::{A}:assumed-role/dev/ci"))),
    ),
    Case(
        "trust-star-with-org-condition-decided",
        P_ALL,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(
            allow(
                "sts:AssumeRole", None, principal="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-aaaa1111"}}
            )
        ),
    ),
    Case(
        "trust-mfa-conditional",
        TRUST,
        "Allowed",
        action="sts:AssumeRole",
        resource=ROLE_A,
        kind="role-trust",
        resource_policy=doc(
            allow(
                "sts:AssumeRole",
                None,
                principal=aws(ALICE_ARN),
                condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            )
        ),
        condition='aws:MultiFactorAuthPresent Bool "true"',
    ),
    # --- KMS key policies --------------------------------------------------------------------------
    Case(
        "kms-root-enables-iam-policies",
        KMS,
        "Allowed",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        identity=(doc(allow("kms:Decrypt")),),
        resource_policy=doc(allow("kms:*", "*", principal=aws(f"arn:aws:iam::{A}:root"))),
    ),
    Case(
        "kms-root-without-identity",
        KMS,
        "ImplicitlyDenied",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        resource_policy=doc(allow("kms:*", "*", principal=aws(f"arn:aws:iam::{A}:root"))),
    ),
    Case(
        "kms-no-key-policy-statement",
        TRUST,
        "ImplicitlyDenied",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        identity=FULL_ACCESS,
        resource_policy=doc(allow("kms:*", "*", principal=aws(BOB_ARN))),
        why="key policy must allow",
    ),
    Case(
        "kms-key-policy-names-user",
        KMS,
        "Allowed",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        resource_policy=doc(allow("kms:Decrypt", "*", principal=aws(ALICE_ARN))),
    ),
    Case(
        "kms-via-service-conditional",
        KMS,
        "Allowed",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        resource_policy=doc(
            allow(
                "kms:Decrypt",
                "*",
                principal=aws(ALICE_ARN),
                condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
            )
        ),
        condition='kms:ViaService StringEquals "s3.us-east-1.amazonaws.com"',
    ),
    # --- NotPrincipal and anonymous callers ---------------------------------------------------------
    Case(
        "notprincipal-deny-spares-listed-user-and-account",
        NOTPRINCIPAL,
        "Allowed",
        identity=FULL_ACCESS,
        resource_policy=doc(deny(not_principal=aws(ALICE_ARN, f"arn:aws:iam::{A}:root"))),
    ),
    Case(
        "notprincipal-deny-user-without-account",
        NOTPRINCIPAL,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        resource_policy=doc(deny(not_principal=aws(ALICE_ARN))),
    ),
    Case(
        "notprincipal-deny-other-user",
        NOTPRINCIPAL,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        resource_policy=doc(deny(not_principal=aws(BOB_ARN, f"arn:aws:iam::{A}:root"))),
    ),
    Case(
        "notprincipal-deny-with-boundary-always-denies",
        NOTPRINCIPAL,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        boundary=FULL_ACCESS,
        resource_policy=doc(deny(not_principal=aws(ALICE_ARN, f"arn:aws:iam::{A}:root"))),
    ),
    Case("notprincipal-allow-others", NOTPRINCIPAL, "Allowed", resource_policy=doc(allow(not_principal=aws(BOB_ARN)))),
    Case(
        "notprincipal-allow-excludes-listed",
        NOTPRINCIPAL,
        "ImplicitlyDenied",
        resource_policy=doc(allow(not_principal=aws(ALICE_ARN, A))),
    ),
    Case(
        "notprincipal-session-fully-listed",
        NOTPRINCIPAL,
        "Allowed",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        resource_policy=doc(deny(not_principal=aws(f"arn:aws:sts::{A}:assumed-role/dev/dana", DEV_ARN, A))),
    ),
    Case(
        "notprincipal-session-not-listed",
        NOTPRINCIPAL,
        "ExplicitlyDenied",
        principal=DEV_SESSION,
        identity=FULL_ACCESS,
        resource_policy=doc(deny(not_principal=aws(DEV_ARN, A))),
    ),
    Case(
        "notprincipal-deny-anonymous",
        NOTPRINCIPAL,
        "ExplicitlyDenied",
        principal=ANON,
        resource_policy=doc(allow(principal="*"), deny(not_principal=aws(A))),
    ),
    Case(
        "anonymous-public-bucket",
        P_ALL,
        "Allowed",
        principal=ANON,
        resource=OBJECT,
        resource_policy=doc(allow("s3:GetObject", principal="*")),
    ),
    Case(
        "anonymous-account-grant",
        P_ACCOUNT,
        "ImplicitlyDenied",
        principal=ANON,
        resource_policy=doc(allow(principal=aws(A))),
    ),
    Case("anonymous-no-resource-policy", EVAL, "ImplicitlyDenied", principal=ANON, resource=BUCKET),
]
