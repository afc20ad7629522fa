"""What resource-based policies add to the decision beyond IAM's own rules: which resource types decide like
KMS keys, and S3's meaning of a "public" bucket policy, which Block Public Access acts on.

Amazon S3 User Guide, "Blocking public access to your Amazon S3 storage" > "The meaning of 'public'"
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status):
S3 considers a bucket policy public unless every statement that allows something grants it only to fixed
values (no wildcard) of a principal, or is limited by a fixed value of one of the keys listed in
`_TRUSTED_KEYS` (or a set of CIDRs in `aws:SourceIp`). With `RestrictPublicBuckets` on, at the bucket or its
account, "only AWS service principals and authorized users within the bucket owner's account" have access
through a public policy: it "blocks all cross-account access" derived from it, "including non-public
delegation to specific accounts".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from .policy import ConditionClause, Policy, Statement
from .wildcards import has_wildcard

ResourceType = Literal[
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Lambda::Function",
    "AWS::SecretsManager::Secret",
    "AWS::ECR::Repository",
]

# KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows it, you cannot use
# IAM policies to allow access to a KMS key."
_KIND_OF_TYPE: dict[str, Literal["generic", "kms-key"]] = {"AWS::KMS::Key": "kms-key"}

# The keys whose fixed values make a statement non-public ("The meaning of 'public'"), lower-cased.
_TRUSTED_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOwner",
        "aws:SourceAccount",
        "aws:PrincipalOrgID",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:DataAccessPointArn",
        "s3:DataAccessPointAccount",
    )
)
_FIXED_OPERATORS = frozenset(("StringEquals", "StringEqualsIgnoreCase", "ArnEquals", "ArnLike", "StringLike"))


def resource_kind(resource_type: str) -> Literal["generic", "kms-key"]:
    """How the evaluator decides a resource of this CloudFormation type: `kms-key` for KMS keys (the key
    policy must allow the caller, or the account for IAM policies to count), else `generic`."""
    return _KIND_OF_TYPE.get(resource_type, "generic")


def is_public(policy: Policy) -> bool:
    """Whether S3 considers the bucket policy public (see the module's docstring)."""
    return any(True for _ in public_statements(policy))


def public_statements(policy: Policy) -> Iterable[Statement]:
    """The Allow statements that make the policy public."""
    return (st for st in policy.statements if st.effect == "Allow" and is_public_statement(st))


def is_public_statement(statement: Statement) -> bool:
    """Whether an Allow statement makes its bucket policy public (see the module's docstring)."""
    if any(_fixed_trusted(clause) for clause in statement.conditions):
        return False
    if statement.not_principals is not None:
        return True
    principals = statement.principals
    if principals is None:
        return False
    if principals.everyone:
        return True
    return any(has_wildcard(value) for value in (*principals.aws, *principals.service))


def _fixed_trusted(clause: ConditionClause) -> bool:
    """A condition that limits the grant to fixed values AWS trusts: no wildcard, no negation, no IfExists
    (which lets a request without the key through)."""
    if clause.if_exists or clause.qualifier is not None or not clause.values:
        return False
    key = clause.key_lower
    if key == "aws:sourceip":
        return clause.base == "IpAddress"
    if key == "aws:userid":
        # "A fixed value of aws:userid outside the pattern AROLEID:*"
        return clause.base == "StringEquals" and not any(v.endswith(":*") or has_wildcard(v) for v in clause.values)
    if key not in _TRUSTED_KEYS or clause.base not in _FIXED_OPERATORS:
        return False
    return not any(has_wildcard(value) for value in clause.values)
