"""Customer managed and inline policy documents for the synthetic organization: the patterns real accounts
are full of — wildcards, `NotAction`, MFA / source IP / region conditions, policy variables, explicit
denies, cross-account `sts:AssumeRole`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.synthetic_org import REGIONS

CORPORATE_CIDRS = ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/25")
Document = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """What a policy template may name: its account, its team, and accounts it may reach into."""

    account: str
    team: str
    others: tuple[str, ...]  # other accounts of the organization

    @property
    def bucket(self) -> str:
        return f"{self.account}-{self.team}"


def document(*statements: dict[str, Any]) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _s3_read(rng: random.Random, s: Scope) -> Document:
    return document({"Sid": "ReadTeamBuckets", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"],
                     "Resource": [f"arn:aws:s3:::{s.bucket}-*", f"arn:aws:s3:::{s.bucket}-*/*"]})


def _s3_write(rng: random.Random, s: Scope) -> Document:
    return document(
        {"Sid": "WriteTeamObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
         "Resource": f"arn:aws:s3:::{s.bucket}-{rng.choice(('data', 'logs', 'assets', 'exports'))}/*"},
        {"Sid": "ListTeamBuckets", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": f"arn:aws:s3:::{s.bucket}-*"},
        {"Sid": "NeverDeleteBuckets", "Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"],
         "Resource": "*"},
    )


def _admin_lite(rng: random.Random, s: Scope) -> Document:
    return document(
        {"Sid": "EverythingButIam", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
         "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "ReadIam", "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    )


def _ec2_regional(rng: random.Random, s: Scope) -> Document:
    regions = sorted(rng.sample(REGIONS, k=rng.randint(1, 2)))
    return document(
        {"Sid": "RunInApprovedRegions", "Effect": "Allow", "Action": ["ec2:*", "elasticloadbalancing:*"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": regions}}},
        {"Sid": "NoTerminateUntagged", "Effect": "Deny", "Action": "ec2:TerminateInstances", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:ResourceTag/team": s.team}}},
    )


def _source_ip(rng: random.Random, s: Scope) -> Document:
    return document(
        {"Sid": "TeamData", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
         "Resource": f"arn:aws:dynamodb:*:{s.account}:table/{s.team}-*"},
        {"Sid": "OnlyFromTheOffice", "Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": list(CORPORATE_CIDRS[: rng.randint(1, 3)])},
                       "Bool": {"aws:ViaAWSService": "false"}}},
    )


def _dynamodb(rng: random.Random, s: Scope) -> Document:
    actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"]
    if rng.random() < 0.6:
        actions += ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
    return document({"Sid": "TeamTables", "Effect": "Allow", "Action": actions,
                     "Resource": [f"arn:aws:dynamodb:{rng.choice(REGIONS)}:{s.account}:table/{s.team}-*",
                                  f"arn:aws:dynamodb:{rng.choice(REGIONS)}:{s.account}:table/{s.team}-*/index/*"]})


def _lambda_deploy(rng: random.Random, s: Scope) -> Document:
    return document(
        {"Sid": "DeployFunctions", "Effect": "Allow",
         "Action": ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                    "lambda:InvokeFunction", "lambda:Get*", "lambda:List*"],
         "Resource": f"arn:aws:lambda:*:{s.account}:function:{s.team}-*"},
        {"Sid": "PassFunctionRoles", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": f"arn:aws:iam::{s.account}:role/{s.team}-fn-*",
         "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}},
    )


def _secrets_by_tag(rng: random.Random, s: Scope) -> Document:
    return document(
        {"Sid": "OwnTeamSecrets", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
         "Resource": f"arn:aws:secretsmanager:*:{s.account}:secret:*",
         "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Sid": "OwnHome", "Effect": "Allow", "Action": "s3:*",
         "Resource": f"arn:aws:s3:::{s.account}-home/${{aws:username}}/*"},
    )


def _kms(rng: random.Random, s: Scope) -> Document:
    return document({"Sid": "DecryptThroughServices", "Effect": "Allow",
                     "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                     "Resource": f"arn:aws:kms:*:{s.account}:key/*",
                     "Condition": {"StringLike": {
                         "kms:ViaService": ["s3.*.amazonaws.com", "dynamodb.*.amazonaws.com"]}}})


def _assume_elsewhere(rng: random.Random, s: Scope) -> Document:
    """Delegation's other half: roles in other accounts that trust this account need this side's Allow."""
    others = rng.sample(s.others, k=min(3, len(s.others)))
    targets = sorted({f"arn:aws:iam::{other}:role/{s.team}-*" for other in others})
    statements: list[dict[str, Any]] = [
        {"Sid": "AssumeTeamRoles", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": targets or f"arn:aws:iam::{s.account}:role/{s.team}-*"},
    ]
    if rng.random() < 0.5:
        statements.append({"Sid": "AssumeAuditRoles", "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                           "Resource": "arn:aws:iam::*:role/OrganizationAuditRole"})
    return document(*statements)


def _queues(rng: random.Random, s: Scope) -> Document:
    return document(
        {"Sid": "TeamQueues", "Effect": "Allow",
         "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueue*"],
         "Resource": f"arn:aws:sqs:*:{s.account}:{s.team}-*"},
        {"Sid": "TeamTopics", "Effect": "Allow", "Action": ["sns:Publish", "sns:Subscribe"],
         "Resource": f"arn:aws:sns:*:{s.account}:{s.team}-*"},
    )


def force_mfa(account: str) -> Document:
    """AWS's documented "manage your own credentials, and nothing else until you sign in with MFA"."""
    return document(
        {"Sid": "ManageOwnMfa", "Effect": "Allow",
         "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
         "Resource": [f"arn:aws:iam::{account}:mfa/${{aws:username}}",
                      f"arn:aws:iam::{account}:user/${{aws:username}}"]},
        {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
         "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                       "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken", "iam:ChangePassword"],
         "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    )


def developer_boundary(account: str) -> Document:
    """The permissions boundary delegated admins must put on what they create."""
    return document(
        {"Sid": "AllowEverythingElse", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "NoIdentityEscalation", "Effect": "Deny",
         "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy", "iam:PutUserPolicy",
                    "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "organizations:*"],
         "Resource": "*"},
        {"Sid": "CreateRolesOnlyWithBoundary", "Effect": "Deny", "Action": ["iam:CreateRole", "iam:PutRolePolicy"],
         "Resource": "*",
         "Condition": {"StringNotEquals": {
             "iam:PermissionsBoundary": f"arn:aws:iam::{account}:policy/DeveloperBoundary"}}},
    )


Template = Callable[[random.Random, Scope], Document]
TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("s3-read", _s3_read), ("s3-write", _s3_write), ("admin-lite", _admin_lite), ("ec2-regional", _ec2_regional),
    ("office-only", _source_ip), ("dynamodb", _dynamodb), ("lambda-deploy", _lambda_deploy),
    ("secrets", _secrets_by_tag), ("kms", _kms), ("assume-cross-account", _assume_elsewhere), ("queues", _queues),
)
INLINE_TEMPLATES = (_s3_read, _s3_write, _dynamodb, _kms, _queues, _lambda_deploy)
