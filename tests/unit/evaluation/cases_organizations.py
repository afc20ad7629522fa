"""Documented cases: SCP and RCP levels (absent, empty, without a matching Allow), RCP services, SCP
Denies with NotResource and `...IfExists` operators on absent keys."""

from __future__ import annotations

from .casekit import ALICE, ALLOW_ALL, CAROL_B, DEV, FULL_ACCESS, A, B, Case, allow, aws, ctx, deny, doc

SCP = "Organizations UG > Service control policies (SCPs) > SCP evaluation (an Allow at every level)"
SCP_ATTACH = "Organizations UG > SCPs > Attaching and detaching SCPs (at least one SCP on every root, OU, account)"
SCP_GRANTS = "Organizations UG > SCPs > SCPs do not grant permissions"
SCP_SYNTAX = "Organizations UG > SCP syntax > NotResource and conditions in Deny statements"
RCP_SYNTAX = "Organizations UG > RCP syntax > Allow is only supported in RCPFullAWSAccess (attached at every level)"
RCP = "Organizations UG > Resource control policies (RCPs) > RCP evaluation"
RCP_SERVICES = "Organizations UG > Resource control policies (RCPs) > List of AWS services that support RCPs"
IFEXISTS = "IAM UG > IAM JSON policy elements: Condition operators > ...IfExists condition operators"
MISSING = "IAM UG > IAM JSON policy elements: Condition > The condition key is not present in the request context"

PROD = "arn:aws:s3:::prod-data/report.csv"
SAFE = "arn:aws:s3:::sandbox/report.csv"
DENY_OUTSIDE_SANDBOX = doc(deny("s3:*", not_resource="arn:aws:s3:::sandbox/*"))
REGION_GUARD = doc(deny("*", condition={"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}))
MFA_GUARD = doc(deny("*", condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
ORG_ONLY = doc(
    deny("*", principal="*", condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaa1111"}}),
)
BUCKET_B = "arn:aws:s3:::partner-bucket/x"
ALICE_CROSS = doc(allow("s3:GetObject", principal=aws(f"arn:aws:iam::{A}:root")))


def rcp_deny(action: str) -> tuple[tuple[dict[str, object], ...], ...]:
    return ((doc(deny(action, principal="*")),),)


CASES: list[Case] = [
    # --- SCP levels ---------------------------------------------------------------------------------
    Case("scp-absent-no-organization", SCP, "Allowed", identity=FULL_ACCESS, scps=None),
    Case(
        "scp-empty-root-level",
        SCP_ATTACH,
        "ImplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((),),
        why="no SCP at level 0",
    ),
    Case(
        "scp-level-only-denies-other-action",
        SCP,
        "ImplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL,), (doc(deny("ec2:*")),)),
        why="no SCP at level 1",
    ),
    Case(
        "scp-account-level-allows-other-service",
        SCP,
        "ImplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL,), (ALLOW_ALL,), (doc(allow("ec2:*")),)),
        why="(account)",
    ),
    Case("scp-allow-is-no-grant", SCP_GRANTS, "ImplicitlyDenied", scps=((ALLOW_ALL,), (ALLOW_ALL,))),
    Case(
        "scp-deny-notresource-outside",
        SCP_SYNTAX,
        "ExplicitlyDenied",
        resource=PROD,
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, DENY_OUTSIDE_SANDBOX),),
    ),
    Case(
        "scp-deny-notresource-inside",
        SCP_SYNTAX,
        "Allowed",
        resource=SAFE,
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, DENY_OUTSIDE_SANDBOX),),
    ),
    Case(
        "scp-deny-notresource-other-service",
        SCP_SYNTAX,
        "Allowed",
        action="ec2:RunInstances",
        resource="*",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, DENY_OUTSIDE_SANDBOX),),
    ),
    Case(
        "scp-deny-notresource-at-ou",
        SCP_SYNTAX,
        "ExplicitlyDenied",
        resource=PROD,
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL,), (ALLOW_ALL, DENY_OUTSIDE_SANDBOX), (ALLOW_ALL,)),
    ),
    Case(
        "scp-stringnotequalsifexists-absent-key-denies",
        IFEXISTS,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, REGION_GUARD),),
        complete=True,
    ),
    Case(
        "scp-stringnotequalsifexists-matching-key",
        IFEXISTS,
        "Allowed",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, REGION_GUARD),),
        context=ctx(("aws:RequestedRegion", "eu-west-1")),
        complete=True,
    ),
    Case(
        "scp-stringnotequalsifexists-other-region",
        IFEXISTS,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, REGION_GUARD),),
        context=ctx(("aws:RequestedRegion", "us-east-1")),
        complete=True,
    ),
    Case(
        "scp-stringnotequalsifexists-unknown-key",
        IFEXISTS,
        "Allowed",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, REGION_GUARD),),
        condition='NOT aws:RequestedRegion StringNotEqualsIfExists "eu-west-1"',
    ),
    Case(
        "scp-boolifexists-absent-mfa-denies",
        IFEXISTS,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, MFA_GUARD),),
        complete=True,
    ),
    Case(
        "scp-boolifexists-mfa-true",
        IFEXISTS,
        "Allowed",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, MFA_GUARD),),
        context=ctx(("aws:MultiFactorAuthPresent", "true")),
        complete=True,
    ),
    Case(
        "scp-bool-without-ifexists-absent-key-spares",
        MISSING,
        "Allowed",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, doc(deny("*", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))),),
        complete=True,
    ),
    Case(
        "scp-numericlessthanifexists-absent-key-denies",
        IFEXISTS,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        scps=((ALLOW_ALL, doc(deny("*", condition={"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}))),),
        complete=True,
    ),
    Case(
        "scp-deny-notresource-ifexists-combined",
        SCP_SYNTAX,
        "ExplicitlyDenied",
        resource=PROD,
        identity=FULL_ACCESS,
        complete=True,
        scps=(
            (
                ALLOW_ALL,
                doc(
                    deny(
                        "s3:*",
                        not_resource="arn:aws:s3:::sandbox/*",
                        condition={"StringNotEqualsIfExists": {"aws:PrincipalTag/team": "red"}},
                    )
                ),
            ),
        ),
        principal=DEV,
    ),
    # --- RCP levels ---------------------------------------------------------------------------------
    Case("rcp-absent", RCP_SYNTAX, "Allowed", identity=FULL_ACCESS, rcps=None),
    Case("rcp-empty-level-denies-nothing", RCP_SYNTAX, "Allowed", identity=FULL_ACCESS, rcps=((), ())),
    Case("rcp-level-with-other-deny", RCP_SYNTAX, "Allowed", identity=FULL_ACCESS, rcps=rcp_deny("sqs:*")),
    Case("rcp-deny-s3", RCP, "ExplicitlyDenied", identity=FULL_ACCESS, rcps=rcp_deny("s3:*")),
    Case(
        "rcp-deny-at-account-level",
        RCP,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        rcps=((), (), *rcp_deny("s3:GetObject")),
    ),
    Case(
        "rcp-deny-sqs",
        RCP_SERVICES,
        "ExplicitlyDenied",
        action="sqs:SendMessage",
        resource=f"arn:aws:sqs:us-east-1:{A}:q",
        identity=FULL_ACCESS,
        rcps=rcp_deny("sqs:*"),
    ),
    Case(
        "rcp-deny-kms",
        RCP_SERVICES,
        "ExplicitlyDenied",
        action="kms:Decrypt",
        resource=f"arn:aws:kms:us-east-1:{A}:key/k",
        identity=FULL_ACCESS,
        kind="generic",
        rcps=rcp_deny("kms:*"),
    ),
    Case(
        "rcp-deny-secretsmanager",
        RCP_SERVICES,
        "ExplicitlyDenied",
        action="secretsmanager:GetSecretValue",
        resource=f"arn:aws:secretsmanager:us-east-1:{A}:secret:s",
        identity=FULL_ACCESS,
        rcps=rcp_deny("secretsmanager:*"),
    ),
    Case(
        "rcp-deny-sts",
        RCP_SERVICES,
        "ExplicitlyDenied",
        action="sts:AssumeRole",
        resource=f"arn:aws:iam::{A}:role/ops",
        identity=FULL_ACCESS,
        kind="role-trust",
        resource_policy=doc(allow("sts:AssumeRole", None, principal=aws(f"arn:aws:iam::{A}:root"))),
        rcps=rcp_deny("sts:*"),
    ),
    Case(
        "rcp-not-for-ec2",
        RCP_SERVICES,
        "Allowed",
        action="ec2:TerminateInstances",
        resource=f"arn:aws:ec2:us-east-1:{A}:instance/i-1",
        identity=FULL_ACCESS,
        rcps=rcp_deny("*"),
        why="not an RCP service",
    ),
    Case(
        "rcp-not-for-iam",
        RCP_SERVICES,
        "Allowed",
        action="iam:CreateUser",
        resource=f"arn:aws:iam::{A}:user/x",
        identity=FULL_ACCESS,
        rcps=rcp_deny("*"),
    ),
    Case(
        "rcp-denies-cross-account-caller",
        RCP,
        "ExplicitlyDenied",
        principal=CAROL_B,
        identity=FULL_ACCESS,
        resource_policy=doc(allow(principal=aws(f"arn:aws:iam::{B}:root"))),
        resource_account=A,
        rcps=((ORG_ONLY,),),
    ),
    Case("rcp-spares-org-member", RCP, "Allowed", principal=ALICE, identity=FULL_ACCESS, rcps=((ORG_ONLY,),)),
    Case(
        "rcp-own-account-resource-cross-account-grant",
        RCP,
        "Allowed",
        principal=ALICE,
        identity=FULL_ACCESS,
        resource=BUCKET_B,
        resource_account=B,
        resource_policy=ALICE_CROSS,
        rcps=((ORG_ONLY,),),
    ),
    Case(
        "rcp-deny-notresource",
        RCP,
        "Allowed",
        resource=SAFE,
        identity=FULL_ACCESS,
        rcps=((doc(deny("s3:*", not_resource="arn:aws:s3:::sandbox/*", principal="*")),),),
    ),
]
