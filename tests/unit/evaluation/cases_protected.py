"""Documented cases: what no policy overrides (service-linked and AWS-reserved roles, AWS managed
policies, AWS managed KMS aliases, `sts:GetCallerIdentity`)."""

from __future__ import annotations

from .casekit import ALLOW_ALL, DEV, FULL_ACCESS, ROOT_A, A, Case, allow, deny, doc

SLR_DOC = "IAM UG > Service-linked roles > Permissions (the linked service defines trust and permissions)"
SLR_EDIT = "IAM UG > Service-linked roles > Editing a service-linked role (only the description)"
SLR_DELETE = "IAM UG > Service-linked roles > Deleting a service-linked role (iam:DeleteServiceLinkedRole)"
ASG_SLR = "EC2 Auto Scaling UG > Service-linked roles > custom suffix (passed with iam:PassRole)"
SSO_DOC = "IAM Identity Center UG > Roles created by IAM Identity Center > AWSReservedSSO_* cannot be modified"
MANAGED = "IAM UG > Managed policies and inline policies > AWS managed policies (you cannot change them)"
KMS_ALIAS = "KMS Developer Guide > Aliases > AWS managed aliases (alias/aws/...) cannot be changed"
WHOAMI = "STS API Reference > GetCallerIdentity (no permissions are required; a Deny does not stop it)"

SLR_ARN = f"arn:aws:iam::{A}:role/aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMR"
ASG_SLR_ARN = f"arn:aws:iam::{A}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_x"
SSO_ARN = f"arn:aws:iam::{A}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123abcd"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
S3_ALIAS = f"arn:aws:kms:us-east-1:{A}:alias/aws/s3"

ROLE_WRITES = (
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
POLICY_WRITES = (
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicy",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
)


def _name(action: str) -> str:
    return action.split(":")[1].lower()


REFUSED = "AWS refuses"

CASES: list[Case] = [
    *(
        Case(
            f"slr-refuses-{_name(a)}",
            SLR_DOC,
            "ExplicitlyDenied",
            action=a,
            resource=SLR_ARN,
            identity=FULL_ACCESS,
            why=REFUSED,
        )
        for a in ROLE_WRITES
    ),
    *(
        Case(
            f"sso-role-refuses-{_name(a)}",
            SSO_DOC,
            "ExplicitlyDenied",
            action=a,
            resource=SSO_ARN,
            identity=FULL_ACCESS,
            why=REFUSED,
        )
        for a in (
            "iam:UpdateAssumeRolePolicy",
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRole",
            "iam:TagRole",
            "iam:UpdateRoleDescription",
        )
    ),
    *(
        Case(
            f"aws-managed-policy-refuses-{_name(a)}",
            MANAGED,
            "ExplicitlyDenied",
            action=a,
            resource=ADMIN_POLICY,
            identity=FULL_ACCESS,
            why=REFUSED,
        )
        for a in POLICY_WRITES
    ),
    *(
        Case(
            f"aws-managed-alias-refuses-{_name(a)}",
            KMS_ALIAS,
            "ExplicitlyDenied",
            action=a,
            resource=S3_ALIAS,
            identity=FULL_ACCESS,
            why=REFUSED,
        )
        for a in ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")
    ),
    Case(
        "slr-description-editable",
        SLR_EDIT,
        "Allowed",
        action="iam:UpdateRoleDescription",
        resource=SLR_ARN,
        identity=FULL_ACCESS,
    ),
    Case(
        "slr-deleted-through-the-service",
        SLR_DELETE,
        "Allowed",
        action="iam:DeleteServiceLinkedRole",
        resource=SLR_ARN,
        identity=FULL_ACCESS,
    ),
    Case("slr-readable", SLR_DOC, "Allowed", action="iam:GetRole", resource=SLR_ARN, identity=FULL_ACCESS),
    Case(
        "slr-refused-even-to-root",
        SLR_DOC,
        "ExplicitlyDenied",
        principal=ROOT_A,
        action="iam:DeleteRole",
        resource=SLR_ARN,
        why=REFUSED,
    ),
    Case(
        "slr-autoscaling-custom-suffix-passable",
        ASG_SLR,
        "Allowed",
        action="iam:PassRole",
        resource=ASG_SLR_ARN,
        identity=FULL_ACCESS,
    ),
    Case(
        "slr-refusal-needs-no-policy",
        SLR_DOC,
        "ExplicitlyDenied",
        action="iam:UpdateAssumeRolePolicy",
        resource=SLR_ARN,
        why=REFUSED,
    ),
    Case(
        "ordinary-role-trust-editable",
        SLR_DOC,
        "Allowed",
        action="iam:UpdateAssumeRolePolicy",
        resource=f"arn:aws:iam::{A}:role/service-role/my-emr-role",
        identity=FULL_ACCESS,
    ),
    Case(
        "role-pattern-is-not-all-service-linked",
        SLR_DOC,
        "Allowed",
        action="iam:DeleteRole",
        resource=f"arn:aws:iam::{A}:role/*",
        identity=FULL_ACCESS,
        pattern=True,
    ),
    Case(
        "aws-managed-policy-attachable",
        MANAGED,
        "Allowed",
        action="iam:AttachRolePolicy",
        resource=f"arn:aws:iam::{A}:role/ops",
        identity=FULL_ACCESS,
    ),
    Case(
        "aws-managed-policy-readable",
        MANAGED,
        "Allowed",
        action="iam:GetPolicyVersion",
        resource=ADMIN_POLICY,
        identity=FULL_ACCESS,
    ),
    Case(
        "customer-managed-policy-versionable",
        MANAGED,
        "Allowed",
        action="iam:CreatePolicyVersion",
        resource=f"arn:aws:iam::{A}:policy/mine",
        identity=FULL_ACCESS,
    ),
    Case(
        "customer-alias-creatable",
        KMS_ALIAS,
        "Allowed",
        action="kms:CreateAlias",
        resource=f"arn:aws:kms:us-east-1:{A}:alias/mine",
        identity=FULL_ACCESS,
    ),
    Case("whoami-needs-no-policy", WHOAMI, "Allowed", action="sts:GetCallerIdentity", resource="*"),
    Case(
        "whoami-explicit-deny-ignored",
        WHOAMI,
        "Allowed",
        action="sts:GetCallerIdentity",
        resource="*",
        identity=(doc(deny("sts:*")),),
    ),
    Case(
        "whoami-scp-deny-ignored",
        WHOAMI,
        "Allowed",
        action="sts:GetCallerIdentity",
        resource="*",
        scps=((ALLOW_ALL, doc(deny())),),
    ),
    Case(
        "whoami-boundary-and-session-ignored",
        WHOAMI,
        "Allowed",
        principal=DEV,
        action="sts:GetCallerIdentity",
        resource="*",
        boundary=(doc(allow("s3:*")),),
        session=doc(deny()),
    ),
]
