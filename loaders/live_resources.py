"""The boto3 side of resource policies (#14): one account's resource snapshot, per service and region.

Returns the snapshot `accessgraph collect --resources` writes and `load` reads (loaders/resources.py), so a
live load and a load of collected files go through the same transform. Each service's "no policy" error
means the resource has none. Any other failure of a service in a region (AccessDenied, an SCP denial, the
region not answering) is reported through `warn`, naming the call, the service and the region, and the
rest is loaded. Throttling is retried by botocore (`live.RETRY_CONFIG`, adaptive mode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped]  # no stubs; see loaders/live.py
import botocore.exceptions  # type: ignore[import-untyped]

from loaders.live import RETRY_CONFIG, Warn, _plain, _reason

Resource = dict[str, Any]
T = TypeVar("T")
# The error codes each service answers for "this resource has no policy / no such setting".
_NONE = frozenset({
    "NoSuchBucketPolicy", "NoSuchPublicAccessBlockConfiguration", "OwnershipControlsNotFoundError",
    "ResourceNotFoundException", "RepositoryPolicyNotFoundException", "NotFoundException", "NoSuchBucket",
    "NoSuchTagSet",  # GetBucketTagging of a bucket without tags
})
_PAB_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


class _Skipped(Exception):
    """A service (or one call of it) failed in a region: reported, and that part is not loaded."""


def get_resources(session: boto3.Session, account_id: str, regions: Sequence[str] | None, warn: Warn) -> dict[str, Any]:
    """The account's resource snapshot in `regions` (None: the account's enabled regions)."""
    return resource_snapshot(session, account_id, regions or enabled_regions(session, warn), warn)


def enabled_regions(session: boto3.Session, warn: Warn) -> list[str]:
    """The regions the account has enabled (`ec2:DescribeRegions` lists only those by default); the
    session's own region, reported, when that call is denied."""
    try:
        regions = session.client("ec2", config=RETRY_CONFIG).describe_regions()["Regions"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        fallback = session.region_name or "us-east-1"
        warn(f"ec2:DescribeRegions: {_why(exc)}; reading resources in {fallback} only (give --regions)")
        return [fallback]
    return sorted(str(region["RegionName"]) for region in regions)


def resource_snapshot(
    session: boto3.Session, account_id: str, regions: Sequence[str], warn: Warn
) -> dict[str, Any]:
    """Every S3 bucket, KMS key, SQS queue, SNS topic, Lambda function, secret and ECR repository of the
    account in `regions`, with its resource policy, as a resource snapshot."""
    resources: list[Resource] = []
    control = session.client("s3control", config=RETRY_CONFIG)
    account_block = _settings(_optional(
        warn, f"s3control:GetPublicAccessBlock (account {account_id})", control.get_public_access_block,
        AccountId=account_id,
    ))
    resources += _service(warn, "s3", ", ".join(regions), _buckets, session, regions, warn)
    readers: list[tuple[str, Callable[[Any, str, Warn], Iterator[Resource]]]] = [
        ("kms", _keys), ("sqs", _queues), ("sns", _topics), ("lambda", _functions),
        ("secretsmanager", _secrets), ("ecr", _repositories),
    ]
    for region in regions:
        for service, read in readers:
            client = session.client(service, region_name=region, config=RETRY_CONFIG)
            resources += _service(warn, service, region, read, client, region, warn)
    snapshot: dict[str, Any] = _plain({
        "AccountId": account_id,
        "AccountPublicAccessBlock": account_block,
        "Resources": sorted(resources, key=lambda resource: str(resource["Arn"])),
    })
    return snapshot


def _service(
    warn: Warn, service: str, region: str, read: Callable[..., Iterator[Resource]], *args: Any
) -> list[Resource]:
    try:
        return list(read(*args))
    except _Skipped as exc:
        warn(f"{service} in {region}: {exc}; its resources there are not loaded")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        warn(f"{service} in {region}: {_why(exc)}; its resources there are not loaded")
    return []


def _call(name: str, call: Callable[..., Any], **kwargs: Any) -> Any:
    """The call's answer; None when the service says "none" (no policy, no setting)."""
    try:
        return call(**kwargs)
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _NONE:
            return None
        raise _Skipped(f"{name}: {_reason(exc)}") from exc


def _optional(warn: Warn, name: str, call: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return _call(name, call, **kwargs)
    except _Skipped as exc:
        warn(f"{exc}; loaded as not set")
    except botocore.exceptions.BotoCoreError as exc:
        warn(f"{name}: {exc}; loaded as not set")
    return None


def _why(exc: Exception) -> str:
    return _reason(exc) if isinstance(exc, botocore.exceptions.ClientError) else str(exc)


def _pairs(answer: Any, field: str, key: str, value: str) -> dict[str, str]:
    """A tag list answer (`[{Key, Value}]` under `field`, each service with its own names) as a map."""
    return {tag[key]: tag.get(value, "") for tag in (answer or {}).get(field, [])}


def _settings(answer: Any) -> dict[str, bool] | None:
    if answer is None:
        return None
    configuration = answer.get("PublicAccessBlockConfiguration", {})
    return {name: configuration.get(name) is True for name in _PAB_FIELDS}


def _each(
    warn: Warn, service: str, region: str, items: Iterable[T], read: Callable[[T], Resource | None]
) -> Iterator[Resource]:
    """`read` of each item; one that fails (its own policy denies us, say) is reported and left out, the
    rest of the service is read."""
    for item in items:
        try:
            found = read(item)
        except _Skipped as exc:
            warn(f"{service} in {region}: {exc}; that resource is not loaded")
            continue
        if found is not None:
            yield found


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def _buckets(session: boto3.Session, regions: Sequence[str], warn: Warn) -> Iterator[Resource]:
    s3 = session.client("s3", config=RETRY_CONFIG)
    buckets = _call("s3:ListBuckets", s3.list_buckets).get("Buckets", [])
    yield from _each(
        warn, "s3", ", ".join(regions), buckets, lambda bucket: _bucket(session, s3, bucket, regions, warn)
    )


def _bucket(session: boto3.Session, s3: Any, bucket: Any, regions: Sequence[str], warn: Warn) -> Resource | None:
    name = bucket["Name"]
    region = bucket.get("BucketRegion") or _bucket_region(s3, name)
    if region not in regions:
        return None
    client = session.client("s3", region_name=region, config=RETRY_CONFIG)
    policy = _call(f"s3:GetBucketPolicy {name}", client.get_bucket_policy, Bucket=name)
    block = _call(f"s3:GetPublicAccessBlock {name}", client.get_public_access_block, Bucket=name)
    ownership = _call(f"s3:GetBucketOwnershipControls {name}", client.get_bucket_ownership_controls, Bucket=name)
    rules = (ownership or {}).get("OwnershipControls", {}).get("Rules", [])
    resource: Resource = {
        "Arn": f"arn:aws:s3:::{name}", "Type": "AWS::S3::Bucket", "Region": region,
        "Policy": policy["Policy"] if policy else None,
        "Tags": _pairs(_optional(warn, f"s3:GetBucketTagging {name}", client.get_bucket_tagging, Bucket=name),
                       "TagSet", "Key", "Value"),
        "PublicAccessBlock": _settings(block),
        "OwnershipControls": rules[0].get("ObjectOwnership") if rules else None,
    }
    # GetBucketPolicyStatus is AWS's own "public" verdict: kept in the file for people, never read by load.
    status = _call(f"s3:GetBucketPolicyStatus {name}", client.get_bucket_policy_status, Bucket=name)
    if status is not None:
        resource["PolicyStatus"] = {"IsPublic": bool(status.get("PolicyStatus", {}).get("IsPublic"))}
    return resource


def _bucket_region(s3: Any, name: str) -> str:
    location = _call(f"s3:GetBucketLocation {name}", s3.get_bucket_location, Bucket=name) or {}
    # us-east-1 answers null; EU is the old name of eu-west-1 (S3 API reference, "GetBucketLocation").
    constraint = location.get("LocationConstraint")
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, str(constraint))


def _keys(kms: Any, region: str, warn: Warn) -> Iterator[Resource]:
    aliases: dict[str, list[str]] = {}
    for alias in _pages(kms, "list_aliases", "Aliases"):
        if alias.get("TargetKeyId"):
            aliases.setdefault(alias["TargetKeyId"], []).append(alias["AliasArn"])

    def key(item: Any) -> Resource | None:
        key_id = item["KeyId"]
        described = _call(f"kms:DescribeKey {key_id}", kms.describe_key, KeyId=key_id)
        if described is None:
            return None  # deleted since it was listed
        metadata = described["KeyMetadata"]
        policy = _call(f"kms:GetKeyPolicy {key_id}", kms.get_key_policy, KeyId=key_id, PolicyName="default")
        return {
            "Arn": metadata["Arn"], "Type": "AWS::KMS::Key", "Region": region,
            "Policy": policy["Policy"] if policy else None,
            "Tags": _pairs(_optional(warn, f"kms:ListResourceTags {key_id}", kms.list_resource_tags, KeyId=key_id),
                           "Tags", "TagKey", "TagValue"),
            "KeyManager": metadata.get("KeyManager"), "Aliases": sorted(aliases.get(key_id, [])),
            "KeyState": metadata.get("KeyState"),
        }

    yield from _each(warn, "kms", region, _pages(kms, "list_keys", "Keys"), key)


def _queues(sqs: Any, region: str, warn: Warn) -> Iterator[Resource]:
    def queue(url: str) -> Resource | None:
        names = ["Policy", "QueueArn"]
        answer = _call(f"sqs:GetQueueAttributes {url}", sqs.get_queue_attributes, QueueUrl=url, AttributeNames=names)
        if answer is None:
            return None
        attributes = answer.get("Attributes", {})
        tags = _optional(warn, f"sqs:ListQueueTags {url}", sqs.list_queue_tags, QueueUrl=url) or {}
        return {"Arn": attributes["QueueArn"], "Type": "AWS::SQS::Queue", "Region": region,
                "Policy": attributes.get("Policy"), "Tags": dict(tags.get("Tags", {}))}

    yield from _each(warn, "sqs", region, _pages(sqs, "list_queues", "QueueUrls"), queue)


def _topics(sns: Any, region: str, warn: Warn) -> Iterator[Resource]:
    def topic(item: Any) -> Resource | None:
        arn = item["TopicArn"]
        answer = _call(f"sns:GetTopicAttributes {arn}", sns.get_topic_attributes, TopicArn=arn)
        if answer is None:
            return None
        tags = _optional(warn, f"sns:ListTagsForResource {arn}", sns.list_tags_for_resource, ResourceArn=arn)
        return {"Arn": arn, "Type": "AWS::SNS::Topic", "Region": region,
                "Policy": answer.get("Attributes", {}).get("Policy"), "Tags": _pairs(tags, "Tags", "Key", "Value")}

    yield from _each(warn, "sns", region, _pages(sns, "list_topics", "Topics"), topic)


def _functions(lam: Any, region: str, warn: Warn) -> Iterator[Resource]:
    def function(item: Any) -> Resource:
        arn = item["FunctionArn"]
        policy = _call(f"lambda:GetPolicy {arn}", lam.get_policy, FunctionName=arn)
        tags = _optional(warn, f"lambda:ListTags {arn}", lam.list_tags, Resource=arn) or {}
        return {"Arn": arn, "Type": "AWS::Lambda::Function", "Region": region,
                "Policy": policy["Policy"] if policy else None, "Tags": dict(tags.get("Tags", {})),
                "Role": item.get("Role")}

    yield from _each(warn, "lambda", region, _pages(lam, "list_functions", "Functions"), function)


def _secrets(secrets: Any, region: str, warn: Warn) -> Iterator[Resource]:
    def secret(item: Any) -> Resource:
        arn = item["ARN"]
        answer = _call(f"secretsmanager:GetResourcePolicy {arn}", secrets.get_resource_policy, SecretId=arn)
        tags = {tag["Key"]: tag.get("Value", "") for tag in item.get("Tags", [])}
        return {"Arn": arn, "Type": "AWS::SecretsManager::Secret", "Region": region,
                "Policy": (answer or {}).get("ResourcePolicy"), "Tags": tags}

    yield from _each(warn, "secretsmanager", region, _pages(secrets, "list_secrets", "SecretList"), secret)


def _repositories(ecr: Any, region: str, warn: Warn) -> Iterator[Resource]:
    def repository(item: Any) -> Resource:
        name = item["repositoryName"]
        answer = _call(f"ecr:GetRepositoryPolicy {name}", ecr.get_repository_policy, repositoryName=name)
        arn = item["repositoryArn"]
        tags = _optional(warn, f"ecr:ListTagsForResource {name}", ecr.list_tags_for_resource, resourceArn=arn)
        return {"Arn": arn, "Type": "AWS::ECR::Repository", "Region": region,
                "Policy": (answer or {}).get("policyText"), "Tags": _pairs(tags, "tags", "Key", "Value")}

    yield from _each(warn, "ecr", region, _pages(ecr, "describe_repositories", "repositories"), repository)
