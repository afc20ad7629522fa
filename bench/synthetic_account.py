"""A deterministic, realistic-looking GAAD file for one large account (for bench_load.py and tests).

    python bench/synthetic_account.py OUT.json [--roles 10000 --users 5000 --groups 2000 --policies 5000]

Same arguments and seed, same bytes. AWS managed policies live under the `/accessgraph-bench/` path so
a benchmark can remove them afterwards; a few attachments name AWS managed policies that the file does
not contain (as real GAAD output does), so unknown-policy handling is part of what is measured.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCOUNT_ID = "999000000001"
AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/accessgraph-bench/"
_SERVICES = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy", "PutBucketPolicy"],
    "ec2": ["RunInstances", "StartInstances", "StopInstances", "TerminateInstances", "DescribeInstances"],
    "iam": ["PassRole", "GetRole", "CreateUser", "AttachRolePolicy", "ListRoles", "CreateAccessKey"],
    "lambda": ["InvokeFunction", "CreateFunction", "UpdateFunctionCode", "GetFunction"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "DeleteItem", "UpdateItem"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueUrl"],
    "sns": ["Publish", "Subscribe", "ListTopics", "CreateTopic"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "logs": ["CreateLogGroup", "CreateLogStream", "PutLogEvents", "FilterLogEvents"],
    "sts": ["AssumeRole", "GetCallerIdentity", "TagSession"],
    "cloudwatch": ["GetMetricData", "PutMetricData", "ListMetrics", "DescribeAlarms"],
    "secretsmanager": ["GetSecretValue", "DescribeSecret", "ListSecrets"],
}
_TRUSTED_SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "glue.amazonaws.com"]


@dataclass(frozen=True)
class Size:
    roles: int = 10_000
    users: int = 5_000
    groups: int = 2_000
    policies: int = 5_000
    aws_policies: int = 1_000
    missing_aws_policies: int = 50


def synthetic_gaad(size: Size = Size(), seed: int = 7) -> dict[str, Any]:
    """The GAAD document (AWS CLI shape) of one synthetic account."""
    return _Generator(size, random.Random(seed)).gaad()


class _Generator:
    def __init__(self, size: Size, rng: random.Random) -> None:
        self.size, self.rng = size, rng
        self.customer = [f"arn:aws:iam::{ACCOUNT_ID}:policy/team-{i:05d}" for i in range(size.policies)]
        self.aws = [f"{AWS_POLICY_PREFIX}Synthetic{i:04d}Access" for i in range(size.aws_policies)]
        self.missing = [f"{AWS_POLICY_PREFIX}NotInFile{i:03d}" for i in range(size.missing_aws_policies)]
        self.boundaries = self.customer[:20]

    def gaad(self) -> dict[str, Any]:
        groups = [self.group(i) for i in range(self.size.groups)]
        users = [self.user(i, groups) for i in range(self.size.users)]
        roles = [self.role(i) for i in range(self.size.roles)]
        policies = [self.managed(arn, aws=False) for arn in self.customer]
        policies += [self.managed(arn, aws=True) for arn in self.aws]
        return {"UserDetailList": users, "GroupDetailList": groups, "RoleDetailList": roles, "Policies": policies}

    def ident(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choices(string.ascii_uppercase + "234567", k=17))

    def date(self) -> str:
        return f"20{self.rng.randint(16, 25)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}T" \
               f"{self.rng.randint(0, 23):02d}:{self.rng.randint(0, 59):02d}:{self.rng.randint(0, 59):02d}+00:00"

    def document(self, statements: int, actions: int) -> dict[str, Any]:
        body = []
        for index in range(statements):
            service = self.rng.choice(list(_SERVICES))
            picked = sorted(set(self.rng.choices(_SERVICES[service], k=actions)))
            if self.rng.random() < 0.15:
                picked = [f"{service}:*"] if self.rng.random() < 0.5 else [f"{service}:Get*", f"{service}:List*"]
            else:
                picked = [f"{service}:{name}" for name in picked]
            statement: dict[str, Any] = {
                "Sid": f"Stmt{index}",
                "Effect": "Deny" if self.rng.random() < 0.08 else "Allow",
                "Action": picked if len(picked) > 1 else picked[0],
                "Resource": self.rng.choice(["*", f"arn:aws:{service}:*:{ACCOUNT_ID}:*", [
                    f"arn:aws:{service}:us-east-1:{ACCOUNT_ID}:app-{self.rng.randint(0, 999)}/*",
                    f"arn:aws:{service}:eu-west-1:{ACCOUNT_ID}:app-{self.rng.randint(0, 999)}/*"]]),
            }
            if self.rng.random() < 0.1:
                statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
            body.append(statement)
        return {"Version": "2012-10-17", "Statement": body}

    def attachments(self, low: int, high: int) -> list[dict[str, str]]:
        out: dict[str, None] = {}
        for _ in range(self.rng.randint(low, high)):
            roll = self.rng.random()
            pool = self.customer if roll < 0.6 else self.aws if roll < 0.98 else self.missing
            out[self.rng.choice(pool)] = None
        return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in out]

    def inline(self, chance: float) -> list[dict[str, Any]]:
        if self.rng.random() >= chance:
            return []
        return [{"PolicyName": f"inline-{self.rng.randint(0, 99)}", "PolicyDocument": self.document(2, 3)}]

    def group(self, index: int) -> dict[str, Any]:
        name = f"group-{index:05d}"
        return {
            "Path": "/", "GroupName": name, "GroupId": self.ident("AGPA"),
            "Arn": f"arn:aws:iam::{ACCOUNT_ID}:group/{name}", "CreateDate": self.date(),
            "GroupPolicyList": self.inline(0.3), "AttachedManagedPolicies": self.attachments(1, 3),
        }

    def user(self, index: int, groups: list[dict[str, Any]]) -> dict[str, Any]:
        name = f"user-{index:05d}"
        user: dict[str, Any] = {
            "Path": "/", "UserName": name, "UserId": self.ident("AIDA"),
            "Arn": f"arn:aws:iam::{ACCOUNT_ID}:user/{name}", "CreateDate": self.date(),
            "GroupList": sorted({g["GroupName"] for g in self.rng.sample(groups, k=min(len(groups), 2))})
            if groups else [],
            "AttachedManagedPolicies": self.attachments(0, 2),
            "Tags": [{"Key": "team", "Value": f"team-{self.rng.randint(0, 40)}"}],
        }
        inline = self.inline(0.2)
        if inline:
            user["UserPolicyList"] = inline
        if self.rng.random() < 0.1:
            user["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                           "PermissionsBoundaryArn": self.rng.choice(self.boundaries)}
        return user

    def trust(self, index: int) -> dict[str, Any]:
        roll = self.rng.random()
        statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
        if roll < 0.5:
            statement["Principal"] = {"Service": self.rng.choice(_TRUSTED_SERVICES)}
        elif roll < 0.75:
            statement["Principal"] = {"AWS": f"arn:aws:iam::{200000000000 + self.rng.randint(0, 19)}:root"}
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"ext-{index}"}}
        elif roll < 0.9:
            other = self.rng.randint(0, max(self.size.users - 1, 0))
            statement["Principal"] = {"AWS": [f"arn:aws:iam::{ACCOUNT_ID}:user/user-{other:05d}",
                                              f"arn:aws:iam::{ACCOUNT_ID}:role/role-{self.rng.randint(0, 99):05d}"]}
        elif roll < 0.95:
            statement["Principal"] = {"Federated": f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/corp-idp"}
            statement["Action"] = "sts:AssumeRoleWithSAML"
            statement["Condition"] = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        else:
            statement["Principal"] = {"AWS": "AROA" + "".join(self.rng.choices(string.ascii_uppercase, k=17))}
        return {"Version": "2012-10-17", "Statement": [statement]}

    def role(self, index: int) -> dict[str, Any]:
        name = f"role-{index:05d}"
        path = "/aws-service-role/" if self.rng.random() < 0.03 else "/"
        role: dict[str, Any] = {
            "Path": path, "RoleName": name, "RoleId": self.ident("AROA"),
            "Arn": f"arn:aws:iam::{ACCOUNT_ID}:role{path}{name}", "CreateDate": self.date(),
            "AssumeRolePolicyDocument": self.trust(index), "InstanceProfileList": [],
            "RolePolicyList": self.inline(0.4), "AttachedManagedPolicies": self.attachments(1, 3),
            "Tags": [], "RoleLastUsed": {"LastUsedDate": self.date(), "Region": "us-east-1"}
            if self.rng.random() < 0.7 else {},
        }
        if self.rng.random() < 0.1:
            role["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                           "PermissionsBoundaryArn": self.rng.choice(self.boundaries)}
        return role

    def managed(self, arn: str, *, aws: bool) -> dict[str, Any]:
        versions = self.rng.randint(1, 3)
        created = self.date()
        statements, actions = (self.rng.randint(2, 12), 6) if aws else (self.rng.randint(1, 4), 3)
        return {
            "PolicyName": arn.rsplit("/", 1)[-1], "PolicyId": self.ident("ANPA"), "Arn": arn,
            "Path": "/accessgraph-bench/" if aws else "/", "DefaultVersionId": f"v{versions}",
            "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [
                {"Document": self.document(statements, actions), "VersionId": f"v{v}",
                 "IsDefaultVersion": v == versions, "CreateDate": created}
                for v in range(versions, 0, -1)
            ],
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("output", type=Path)
    defaults = Size()
    for name in ("roles", "users", "groups", "policies", "aws_policies"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    size = Size(args.roles, args.users, args.groups, args.policies, args.aws_policies)
    write(args.output, size, args.seed)


def write(path: Path, size: Size = Size(), seed: int = 7) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(synthetic_gaad(size, seed), indent=4) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
