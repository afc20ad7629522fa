"""Synthetic resource snapshots (#14) for a generated organization: the shape `accessgraph collect
--resources` writes, one per account, with the policies real estates hold.

Resources are spread over the accounts in proportion to their principals (the total is exact). Most
policies stay in their account (a role of it, the account root: the KMS default); some grant another
account of the organization (its root, or a role by ARN), some a vendor outside it, some the organization
through `aws:PrincipalOrgID`, a few everyone (some of those buckets behind Block Public Access), and
queues/functions admit a service with and without a source condition. Same arguments, same output.
"""

from __future__ import annotations

import random
from typing import Any

from bench.synthetic_org import AccountPlan, OrgPlan

# (type, weight): buckets dominate real estates, then keys and queues.
_MIX = (("s3", 40), ("kms", 15), ("sqs", 15), ("sns", 10), ("lambda", 10), ("secret", 5), ("ecr", 5))
_REGIONS = ("us-east-1", "us-east-1", "us-west-2", "eu-west-1")
_PAB_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True}
_S3_READ = ["s3:GetObject", "s3:ListBucket"]
_ACTIONS = {
    "s3": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
    "kms": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
    "sqs": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
    "sns": ["sns:Publish", "sns:Subscribe"],
    "lambda": ["lambda:InvokeFunction"],
    "secret": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "ecr": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
}


def split(org: OrgPlan, total: int) -> dict[str, int]:
    """How many resources each account holds: proportional to its principals, summing exactly to `total`."""
    principals = org.principals
    shares = {a.id: total * a.principals // principals for a in org.accounts}
    for account in sorted(org.accounts, key=lambda a: a.id)[: total - sum(shares.values())]:
        shares[account.id] += 1
    return shares


def account_resources(org: OrgPlan, account: AccountPlan, count: int, role_arns: list[str]) -> dict[str, Any]:
    """The resource snapshot of one account: `count` resources; `role_arns` are the account's own roles."""
    rng = random.Random(f"accessgraph-resources:{org.seed}:{account.id}")
    others = [a.id for a in org.accounts if a.id != account.id]
    kinds = [kind for kind, weight in _MIX for _ in range(weight)]
    resources = []
    for index in range(count):
        kind = rng.choice(kinds)
        region = rng.choice(_REGIONS)
        resources.append(_resource(rng, org, account, kind, region, index, role_arns, others))
    return {
        "AccountId": account.id,
        "AccountPublicAccessBlock": _PAB_ALL if rng.random() < 0.5 else None,
        "Resources": resources,
    }


def _resource(
    rng: random.Random, org: OrgPlan, account: AccountPlan, kind: str, region: str, index: int,
    roles: list[str], others: list[str],
) -> dict[str, Any]:
    name = f"{account.name.lower().replace(' ', '-')}-{kind}-{index:05d}"
    own = f"arn:aws:iam::{account.id}:root"
    arn = {
        "s3": f"arn:aws:s3:::{name}-{account.id}",
        "kms": f"arn:aws:kms:{region}:{account.id}:key/{_uuid(rng)}",
        "sqs": f"arn:aws:sqs:{region}:{account.id}:{name}",
        "sns": f"arn:aws:sns:{region}:{account.id}:{name}",
        "lambda": f"arn:aws:lambda:{region}:{account.id}:function:{name}",
        "secret": f"arn:aws:secretsmanager:{region}:{account.id}:secret:{name}-{_suffix(rng)}",
        "ecr": f"arn:aws:ecr:{region}:{account.id}:repository/{name}",
    }[kind]
    target = arn + "/*" if kind == "s3" else arn
    statements: list[dict[str, Any]] = []
    if kind == "kms":  # the default key policy: IAM policies of the account count
        statements.append(_allow(own, ["kms:*"], "*", sid="Enable IAM User Permissions"))
    if kind == "sns":
        statements.append(_allow("*", ["SNS:Publish", "SNS:Subscribe"], arn, sid="__default_statement_ID",
                                 condition={"StringEquals": {"AWS:SourceOwner": account.id}}))
    if roles and rng.random() < 0.6:
        statements.append(_allow(rng.choice(roles), _some(rng, _ACTIONS[kind]), target, sid="OwnRole"))
    draw = rng.random()
    if draw < 0.15 and others:
        foreign = rng.choice(others)
        principal = f"arn:aws:iam::{foreign}:root" if rng.random() < 0.7 else f"arn:aws:iam::{foreign}:role/Deploy"
        statements.append(_allow(principal, _some(rng, _ACTIONS[kind]), target, sid="OtherAccount"))
    elif draw < 0.20:
        vendor = rng.choice(org.vendors)[1]
        statements.append(_allow(f"arn:aws:iam::{vendor}:root", _ACTIONS[kind][:1], target, sid="Vendor"))
    elif draw < 0.30:
        statements.append(_allow("*", _ACTIONS[kind][:1], target, sid="Organization",
                                 condition={"StringEquals": {"aws:PrincipalOrgID": org.org_id}}))
    elif draw < 0.32 and kind in ("s3", "sqs", "sns", "secret"):
        statements.append(_allow("*", _S3_READ[:1] if kind == "s3" else _ACTIONS[kind][:1], target, sid="Public"))
    if kind in ("sqs", "lambda") and rng.random() < 0.5:
        service = "sns.amazonaws.com" if kind == "sqs" else rng.choice(["s3.amazonaws.com", "events.amazonaws.com"])
        condition = ({"ArnLike": {"aws:SourceArn": f"arn:aws:*:*:{account.id}:*"}} if rng.random() < 0.7 else None)
        statements.append(_allow({"Service": service}, _ACTIONS[kind][:1], arn, sid="Service", condition=condition))
    if kind == "s3" and rng.random() < 0.3:
        statements.append({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [arn, target], "Condition": {"Bool": {"aws:SecureTransport": "false"}}})
    resource: dict[str, Any] = {
        "Arn": arn, "Type": _TYPES[kind], "Region": region, "Tags": {"team": f"team-{rng.randrange(20):02d}"},
        "Policy": {"Version": "2012-10-17", "Statement": statements} if statements else None,
    }
    if kind == "s3":
        resource["PublicAccessBlock"] = _PAB_ALL if rng.random() < 0.6 else None
        resource["OwnershipControls"] = "BucketOwnerEnforced"
    elif kind == "kms":
        resource["KeyManager"] = "CUSTOMER"
        resource["Aliases"] = [f"arn:aws:kms:{region}:{account.id}:alias/{name}"]
    elif kind == "lambda" and roles:
        resource["Role"] = rng.choice(roles)
    return resource


_TYPES = {
    "s3": "AWS::S3::Bucket", "kms": "AWS::KMS::Key", "sqs": "AWS::SQS::Queue", "sns": "AWS::SNS::Topic",
    "lambda": "AWS::Lambda::Function", "secret": "AWS::SecretsManager::Secret", "ecr": "AWS::ECR::Repository",
}


def _allow(
    principal: Any, actions: list[str], resource: str, *, sid: str, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid, "Effect": "Allow",
        "Principal": principal if isinstance(principal, dict) or principal == "*" else {"AWS": principal},
        "Action": actions, "Resource": resource,
    }
    if condition:
        statement["Condition"] = condition
    return statement


def _uuid(rng: random.Random) -> str:
    digits = f"{rng.getrandbits(128):032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _suffix(rng: random.Random) -> str:
    return "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", k=6))


def _some(rng: random.Random, actions: list[str]) -> list[str]:
    return rng.sample(actions, min(2, len(actions)))
