"""The columns a dashboard charts of an account beside its entity counts (service/history/counts.py works
them out): administrators, trust findings by category, audit findings by severity, resources by type; and how
a load record holds them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.database.records import RESOURCE_TYPES

# The trust review's categories (docs/trust-review.md), one column each.
TRUST_CATEGORIES = (
    "outside-account", "outside-organization", "any-principal", "unloaded-account", "external-without-external-id",
    "without-mfa",
)
# One column per loaded resource type (#14), named for what a panel shows.
RESOURCE_COLUMNS: Mapping[str, str] = {
    "AWS::S3::Bucket": "s3_buckets",
    "AWS::KMS::Key": "kms_keys",
    "AWS::SQS::Queue": "sqs_queues",
    "AWS::SNS::Topic": "sns_topics",
    "AWS::Lambda::Function": "lambda_functions",
    "AWS::SecretsManager::Secret": "secrets",
    "AWS::ECR::Repository": "ecr_repositories",
}
assert set(RESOURCE_COLUMNS) == set(RESOURCE_TYPES), "a resource type without its column"


@dataclass(frozen=True, slots=True)
class AccountCounts:
    """One account's counts. The finding counts are None when no credential report or security snapshot of
    the account is loaded (the audit has nothing to read then, and 0 would say it found nothing)."""

    cross_account_trusts: int = 0
    outside_account: int = 0
    outside_organization: int = 0
    any_principal: int = 0
    unloaded_account: int = 0
    external_without_external_id: int = 0
    without_mfa: int = 0
    admins: int = 0
    findings: int | None = None
    findings_critical: int | None = None
    findings_high: int | None = None
    findings_medium: int | None = None
    findings_low: int | None = None
    resources: int = 0
    s3_buckets: int = 0
    kms_keys: int = 0
    sqs_queues: int = 0
    sns_topics: int = 0
    lambda_functions: int = 0
    secrets: int = 0
    ecr_repositories: int = 0

    def as_properties(self) -> dict[str, int | None]:
        """As a load record's properties (camelCase, the GraphQL names). Not the trust findings' total: the
        record's `crossAccountTrusts` is the count taken at load time (docs/history.md)."""
        return {camel(f.name): getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name != "cross_account_trusts"}


def recorded_counts(properties: Mapping[str, Any]) -> dict[str, int | None]:
    """A load record's counts of this module by their Python names; each None when not recorded (a load
    recorded before they were, or a run killed before it wrote them)."""
    found: dict[str, int | None] = {}
    for name in COUNT_NAMES:
        value = properties.get(camel(name))
        found[name] = None if value is None else int(value)
    return found


COUNT_NAMES = tuple(f.name for f in dataclasses.fields(AccountCounts) if f.name != "cross_account_trusts")


def camel(name: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name)
