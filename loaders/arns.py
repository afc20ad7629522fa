"""ARNs, account ids and IAM unique ids as they appear in GAAD and trust policies."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What AWS prints: ASCII without spaces or control characters. Anything else (a newline, say) is a hand edit
# or a broken export, and the evaluator would refuse it at question time: refuse it at load instead.
_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>[a-z0-9-]*):"
    r"(?P<resource>[\x21-\x7e]+)\Z"
)
ACCOUNT_ID = re.compile(r"[0-9]{12}\Z")
# AIDA… (user), AROA… (role): what a trust policy shows when the principal it named was deleted.
UNIQUE_ID = re.compile(r"A[A-Z0-9]{3}[A-Z0-9]{12,}\Z")
# A host name: service principals (ec2.amazonaws.com) and web identity providers (accounts.google.com).
HOST_NAME = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\Z")
CANONICAL_USER = re.compile(r"[0-9a-fA-F]{64}\Z")


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        return self.resource.split("/", 1)[0]


def parse_arn(value: str) -> Arn | None:
    match = _ARN.match(value)
    if match is None:
        return None
    return Arn(**match.groupdict())


def iam_account(arn: str) -> str | None:
    """The account that owns an IAM ARN (`aws` for AWS managed policies), or None if not an IAM ARN."""
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "iam":
        return None
    return parsed.account or None


def is_aws_managed_policy(arn: str) -> bool:
    return iam_account(arn) == "aws"


def policy_name_from_arn(arn: str) -> str:
    """`arn:aws:iam::aws:policy/service-role/X` -> `X` (moto's GAAD leaves PolicyName out)."""
    return arn.rsplit("/", 1)[-1]


def role_arn(partition: str, account: str, name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{name}"
