"""Documented cases: resource-based policies (#14), the rules docs/resource-policies.md lists, each case naming
the AWS documentation section (and page) it follows. `restrict_public` is S3 Block Public Access's
RestrictPublicBuckets, at the bucket or its account."""

from __future__ import annotations

from dataclasses import dataclass

from service.evaluation import principal_from_arn

from .casekit import (
    ALICE,
    ALICE_ARN,
    ANON,
    BUCKET,
    CAROL_B,
    FULL_ACCESS,
    KEY_A,
    A,
    B,
    Case,
    allow,
    aws,
    ctx,
    deny,
    doc,
)

_IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide"
_EVAL = f"{_IAM}/reference_policies_evaluation-logic"
SAME = (
    "IAM UG > Policy evaluation logic > Evaluating identity-based policies with resource-based policies "
    f"({_EVAL}_policies_resource.html)"
)
IMPLICIT = (
    f"IAM UG > Policy evaluation logic > Resource-based policies and implicit denies ({_EVAL}.html#policy-eval-basics)"
)
CROSS = f"IAM UG > Cross-account policy evaluation logic ({_EVAL}-cross-account.html)"
DENY = (
    "IAM UG > Policy evaluation logic > Determining whether a request is allowed or denied within an account "
    f"({_EVAL}_policy-eval-denyallow.html)"
)
KMS = (
    "KMS Developer Guide > Key policies > Default key policy > Allows access to the AWS account and enables IAM "
    "policies (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
    "#key-policy-default-allow-root-enable-iam)"
)
BPA = (
    "S3 UG > Blocking public access to your Amazon S3 storage > The meaning of 'public' and RestrictPublicBuckets "
    "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html)"
)
SERVICE = f"IAM UG > The confused deputy problem > aws:SourceArn and aws:SourceAccount ({_IAM}/confused-deputy.html)"
RCP = (
    "Organizations UG > Resource control policies (RCPs) > RCP evaluation and the services RCPs support "
    "(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)"
)

ETL_B_ARN = f"arn:aws:iam::{B}:role/etl"
ETL_B = principal_from_arn(ETL_B_ARN, org_id="o-bbbb2222")
DEPLOY_A_ARN = f"arn:aws:iam::{A}:role/deploy"
DEPLOY_A = principal_from_arn(DEPLOY_A_ARN, org_id="o-aaaa1111")
PARTNER_B = principal_from_arn(f"arn:aws:iam::{B}:user/partner", org_id="o-aaaa1111")
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
TOPIC = f"arn:aws:sns:us-east-1:{A}:orders"
SNS = principal_from_arn("sns.amazonaws.com")
READ = doc(allow("s3:GetObject"))
NOTHING = doc(allow("ec2:DescribeInstances"))
PUBLIC_READ = doc(allow("s3:GetObject", f"{BUCKET}/*", principal="*", sid="PublicRead"))
TO_ACCOUNT_B = doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(f"arn:aws:iam::{B}:root"), sid="AccountB"))
OUTSIDE_ORG_RCP = (
    (),
    (
        doc(
            deny(
                ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*", "sns:*"],
                "*",
                principal="*",
                sid="EnforceOrgIdentities",
                condition={
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-aaaa1111"},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            )
        ),
    ),
)


@dataclass(frozen=True)
class ResourceCase:
    case: Case
    restrict_public: bool = False


def _case(*args: object, restrict_public: bool = False, **kw: object) -> ResourceCase:
    return ResourceCase(Case(*args, **kw), restrict_public)  # type: ignore[arg-type]


CASES: list[ResourceCase] = [
    # --- a bucket policy granting a foreign account's root: it delegates, the caller's side must allow too ---
    _case(
        "bucket-foreign-root-without-identity",
        CROSS,
        "ImplicitlyDenied",
        principal=CAROL_B,
        resource_account=A,
        resource_policy=TO_ACCOUNT_B,
        why="no identity-based policy allows",
    ),
    _case(
        "bucket-foreign-root-with-identity",
        CROSS,
        "Allowed",
        principal=CAROL_B,
        resource_account=A,
        identity=(READ,),
        resource_policy=TO_ACCOUNT_B,
    ),
    _case(
        "bucket-foreign-root-identity-alone",
        CROSS,
        "ImplicitlyDenied",
        principal=CAROL_B,
        resource_account=A,
        identity=FULL_ACCESS,
    ),
    # --- a bucket policy naming a foreign role directly: still both sides -------------------------------
    _case(
        "bucket-foreign-role-named-without-identity",
        CROSS,
        "ImplicitlyDenied",
        principal=ETL_B,
        resource_account=A,
        resource_policy=doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(ETL_B_ARN))),
    ),
    _case(
        "bucket-foreign-role-named-with-identity",
        CROSS,
        "Allowed",
        principal=ETL_B,
        resource_account=A,
        identity=(READ,),
        resource_policy=doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(ETL_B_ARN))),
    ),
    # --- same account: the bucket policy alone grants a user it names ---------------------------------
    _case(
        "bucket-same-account-user-only-bucket-policy",
        SAME,
        "Allowed",
        identity=(NOTHING,),
        resource_account=A,
        resource_policy=doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(ALICE_ARN))),
    ),
    _case(
        "bucket-same-account-user-boundary-does-not-limit",
        IMPLICIT,
        "Allowed",
        boundary=(NOTHING,),
        resource_account=A,
        resource_policy=doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(ALICE_ARN))),
    ),
    _case(
        "bucket-same-account-role-arn-boundary-limits",
        IMPLICIT,
        "ImplicitlyDenied",
        principal=DEPLOY_A,
        boundary=(NOTHING,),
        resource_account=A,
        resource_policy=doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(DEPLOY_A_ARN))),
        why="boundary",
    ),
    _case(
        "bucket-same-account-names-account-delegates",
        SAME,
        "ImplicitlyDenied",
        identity=(NOTHING,),
        resource_account=A,
        resource_policy=doc(allow("s3:GetObject", f"{BUCKET}/*", principal=aws(f"arn:aws:iam::{A}:root"))),
    ),
    # --- a bucket Deny removes an identity Allow --------------------------------------------------------
    _case(
        "bucket-deny-removes-identity-allow",
        DENY,
        "ExplicitlyDenied",
        identity=FULL_ACCESS,
        resource_account=A,
        resource_policy=doc(deny("s3:GetObject", f"{BUCKET}/*", principal="*", sid="NoReads")),
    ),
    _case(
        "bucket-deny-for-others-leaves-identity-allow",
        DENY,
        "Allowed",
        identity=FULL_ACCESS,
        resource_account=A,
        resource_policy=doc(deny("s3:GetObject", f"{BUCKET}/*", principal=aws(f"arn:aws:iam::{B}:root"))),
    ),
    # --- KMS: without the key policy's root statement, an IAM Allow alone does not grant -------------------
    _case(
        "kms-key-without-iam-statement",
        KMS,
        "ImplicitlyDenied",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        identity=FULL_ACCESS,
        resource_policy=doc(allow("kms:*", "*", principal=aws(DEPLOY_A_ARN), sid="KeyAdmins")),
    ),
    _case(
        "kms-key-with-iam-statement",
        KMS,
        "Allowed",
        action="kms:Decrypt",
        resource=KEY_A,
        kind="kms-key",
        identity=FULL_ACCESS,
        resource_policy=doc(allow("kms:*", "*", principal=aws(f"arn:aws:iam::{A}:root"), sid="EnableIAM")),
    ),
    # --- a public bucket, with and without Block Public Access ---------------------------------------------
    _case("public-bucket-anonymous", BPA, "Allowed", principal=ANON, resource_account=A, resource_policy=PUBLIC_READ),
    _case(
        "public-bucket-other-account",
        BPA,
        "Allowed",
        principal=CAROL_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=PUBLIC_READ,
    ),
    _case(
        "public-bucket-restricted-anonymous",
        BPA,
        "ImplicitlyDenied",
        principal=ANON,
        resource_account=A,
        resource_policy=PUBLIC_READ,
        restrict_public=True,
        why="RestrictPublicBuckets",
    ),
    _case(
        "public-bucket-restricted-other-account",
        BPA,
        "ImplicitlyDenied",
        principal=CAROL_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=PUBLIC_READ,
        restrict_public=True,
    ),
    _case(
        "public-bucket-restricted-blocks-delegation-too",
        BPA,
        "ImplicitlyDenied",
        principal=CAROL_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=doc(*TO_ACCOUNT_B["Statement"], *PUBLIC_READ["Statement"]),
        restrict_public=True,
    ),
    _case(
        "public-bucket-restricted-own-account",
        BPA,
        "Allowed",
        principal=ALICE,
        resource_account=A,
        resource_policy=PUBLIC_READ,
        restrict_public=True,
    ),
    _case(
        "non-public-bucket-restricted-other-account",
        BPA,
        "Allowed",
        principal=CAROL_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=TO_ACCOUNT_B,
        restrict_public=True,
    ),
    _case(
        "org-condition-bucket-is-not-public",
        BPA,
        "Allowed",
        principal=PARTNER_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=doc(
            allow(
                "s3:GetObject",
                f"{BUCKET}/*",
                principal="*",
                condition={"StringEquals": {"aws:PrincipalOrgID": "o-aaaa1111"}},
            )
        ),
        restrict_public=True,
    ),
    # --- a queue open to a service principal, with and without aws:SourceArn --------------------------------
    _case(
        "queue-service-without-source",
        SERVICE,
        "Allowed",
        principal=SNS,
        action="sqs:SendMessage",
        resource=QUEUE,
        resource_policy=doc(allow("sqs:SendMessage", QUEUE, principal={"Service": "sns.amazonaws.com"})),
    ),
    _case(
        "queue-service-with-source-arn-reported",
        SERVICE,
        "Allowed",
        principal=SNS,
        action="sqs:SendMessage",
        resource=QUEUE,
        resource_policy=doc(
            allow(
                "sqs:SendMessage",
                QUEUE,
                principal={"Service": "sns.amazonaws.com"},
                condition={"ArnEquals": {"aws:SourceArn": TOPIC}},
            )
        ),
        condition=f'aws:SourceArn ArnEquals "{TOPIC}"',
    ),
    _case(
        "queue-service-with-source-arn-decided",
        SERVICE,
        "ImplicitlyDenied",
        principal=SNS,
        action="sqs:SendMessage",
        resource=QUEUE,
        context=ctx(("aws:SourceArn", f"arn:aws:sns:us-east-1:{B}:other")),
        resource_policy=doc(
            allow(
                "sqs:SendMessage",
                QUEUE,
                principal={"Service": "sns.amazonaws.com"},
                condition={"ArnEquals": {"aws:SourceArn": TOPIC}},
            )
        ),
    ),
    # --- an RCP that denies outside the organization ---------------------------------------------------------
    _case(
        "rcp-denies-outside-organization",
        RCP,
        "ExplicitlyDenied",
        principal=CAROL_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=TO_ACCOUNT_B,
        rcps=OUTSIDE_ORG_RCP,
    ),
    _case(
        "rcp-lets-the-organization-in",
        RCP,
        "Allowed",
        principal=PARTNER_B,
        identity=(READ,),
        resource_account=A,
        resource_policy=TO_ACCOUNT_B,
        rcps=OUTSIDE_ORG_RCP,
    ),
    _case(
        "rcp-does-not-apply-to-sns",
        RCP,
        "Allowed",
        principal=CAROL_B,
        action="sns:Publish",
        resource=TOPIC,
        identity=(doc(allow("sns:Publish")),),
        resource_policy=doc(allow("sns:Publish", TOPIC, principal=aws(f"arn:aws:iam::{B}:root"))),
        rcps=OUTSIDE_ORG_RCP,
        why="not an RCP service",
    ),
]
