"""The boto3 resource path against moto (all seven services): what is read, "no policy" as none, a denied
service or region reported by name with the rest loaded, and `collect --resources` files `load` reads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import boto3
import botocore.client
import botocore.exceptions
import pytest

from loaders import live, live_resources
from loaders.collect import collect_resources, plan_from_live
from loaders.resources import transform_resources
from service.cli import main

ACCOUNT = "123456789012"  # moto's
SHARED = {"Version": "2012-10-17", "Statement": [{
    "Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-assets/*"}]}


def make_resources(region: str = "us-east-1") -> dict[str, str]:
    """One of each type in `region` (two buckets in us-east-1), each policy given or left out on purpose."""
    arns: dict[str, str] = {}
    if region == "us-east-1":
        s3 = boto3.client("s3", region_name=region)
        s3.create_bucket(Bucket="shared-assets")
        s3.put_bucket_policy(Bucket="shared-assets", Policy=json.dumps(SHARED))
        s3.put_public_access_block(Bucket="shared-assets", PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
        s3.put_bucket_ownership_controls(Bucket="shared-assets", OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        s3.put_bucket_tagging(Bucket="shared-assets", Tagging={"TagSet": [{"Key": "team", "Value": "web"}]})
        s3.create_bucket(Bucket="private-logs")  # no policy: NoSuchBucketPolicy; no tags: NoSuchTagSet
        boto3.client("s3control", region_name=region).put_public_access_block(
            AccountId=ACCOUNT, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    kms = boto3.client("kms", region_name=region)
    key = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "data"}])["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/data-{region}", TargetKeyId=key["KeyId"])
    arns["key"] = key["Arn"]
    sqs = boto3.client("sqs", region_name=region)
    url = sqs.create_queue(QueueName="orders", tags={"team": "orders"})["QueueUrl"]
    queue_arn = f"arn:aws:sqs:{region}:{ACCOUNT}:orders"
    topic_arn = boto3.client("sns", region_name=region).create_topic(
        Name="orders", Tags=[{"Key": "team", "Value": "orders"}])["TopicArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    arns["queue"], arns["topic"] = queue_arn, topic_arn
    iam = boto3.client("iam")
    try:
        role = iam.get_role(RoleName="thumbnailer")["Role"]["Arn"]
    except botocore.exceptions.ClientError:
        role = iam.create_role(RoleName="thumbnailer", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return None\n")
    function = boto3.client("lambda", region_name=region).create_function(
        FunctionName="thumbnailer", Runtime="python3.11", Role=role, Handler="handler.handle",
        Code={"ZipFile": code.getvalue()}, Tags={"team": "media"})
    arns["function"], arns["role"] = function["FunctionArn"], role
    arns["secret"] = boto3.client("secretsmanager", region_name=region).create_secret(
        Name="db-password", SecretString="x", Tags=[{"Key": "team", "Value": "web"}])["ARN"]
    ecr = boto3.client("ecr", region_name=region)
    arns["repository"] = ecr.create_repository(
        repositoryName="webapp", tags=[{"Key": "team", "Value": "web"}])["repository"]["repositoryArn"]
    ecr.set_repository_policy(repositoryName="webapp", policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}))
    return arns


def by_arn(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["Arn"]: item for item in snapshot["Resources"]}


def test_every_service_is_read_with_its_policy(aws: None) -> None:
    arns = make_resources()
    warnings: list[str] = []
    snapshot = live_resources.get_resources(boto3.Session(), ACCOUNT, ["us-east-1"], warnings.append)
    found = by_arn(snapshot)
    assert warnings == []
    assert snapshot["AccountPublicAccessBlock"] == {
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": True}
    shared = found["arn:aws:s3:::shared-assets"]
    assert json.loads(shared["Policy"]) == SHARED and shared["OwnershipControls"] == "BucketOwnerEnforced"
    assert shared["PublicAccessBlock"]["RestrictPublicBuckets"] is True
    private = found["arn:aws:s3:::private-logs"]
    assert private["Policy"] is None and private["PublicAccessBlock"] is None  # "none" errors mean none
    key = found[arns["key"]]
    assert key["KeyManager"] == "CUSTOMER"
    assert key["Aliases"] == [f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/data-us-east-1"]
    assert json.loads(key["Policy"])["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert json.loads(found[arns["queue"]]["Policy"])["Statement"][0]["Principal"] == {"Service": "sns.amazonaws.com"}
    assert "Statement" in json.loads(found[arns["topic"]]["Policy"])
    assert found[arns["function"]]["Role"] == arns["role"] and found[arns["function"]]["Policy"] is None
    assert found[arns["secret"]]["Tags"] == {"team": "web"} and found[arns["secret"]]["Policy"] is None
    assert json.loads(found[arns["repository"]]["Policy"])["Statement"][0]["Sid"] == "Pull"
    # Tags, which aws:ResourceTag conditions read, from every service's own tag call.
    assert {arn: item["Tags"] for arn, item in found.items() if item["Tags"]} == {
        "arn:aws:s3:::shared-assets": {"team": "web"}, arns["key"]: {"team": "data"},
        arns["queue"]: {"team": "orders"}, arns["topic"]: {"team": "orders"}, arns["function"]: {"team": "media"},
        arns["secret"]: {"team": "web"}, arns["repository"]: {"team": "web"}}
    loaded = transform_resources(snapshot, "live")
    assert sum(loaded.counts().values()) == len(found) == 8
    # moto lists AWS managed keys too: their policies load like any other
    assert {row.type for row in loaded.resources} == {
        "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Lambda::Function",
        "AWS::SecretsManager::Secret", "AWS::ECR::Repository"}


def deny(monkeypatch: pytest.MonkeyPatch, operation: str, region: str, code: str = "AccessDeniedException") -> None:
    """`operation` in `region` answers `code` (an SCP denial reads AccessDenied too); every other call goes on."""
    original = botocore.client.BaseClient._make_api_call

    def call(self: Any, name: str, params: dict[str, Any]) -> Any:
        if name == operation and self.meta.region_name == region:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": code, "Message": f"explicit deny in a service control policy ({name})"}}, name)
        return original(self, name, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)


def test_a_denied_service_in_one_region_is_reported_and_the_rest_loads(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    east, west = make_resources("us-east-1"), make_resources("eu-west-1")
    deny(monkeypatch, "ListQueues", "eu-west-1")
    warnings: list[str] = []
    found = by_arn(live_resources.get_resources(boto3.Session(), ACCOUNT, ["us-east-1", "eu-west-1"], warnings.append))
    assert len(warnings) == 1 and warnings[0].startswith("sqs in eu-west-1: AccessDeniedException: explicit deny")
    assert east["queue"] in found and west["queue"] not in found
    assert west["key"] in found and west["function"] in found  # the rest of eu-west-1 loads


def test_a_resource_whose_own_policy_denies_us_is_left_out_by_name(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    arns = make_resources()
    deny(monkeypatch, "GetKeyPolicy", "us-east-1")
    warnings: list[str] = []
    found = by_arn(live_resources.get_resources(boto3.Session(), ACCOUNT, ["us-east-1"], warnings.append))
    assert arns["key"] not in found and arns["queue"] in found
    assert any(f"kms:GetKeyPolicy {arns['key'].rsplit('/', 1)[1]}" in warning for warning in warnings), warnings


def test_a_denied_tag_read_is_reported_and_the_resource_loads_without_tags(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    arns = make_resources()
    deny(monkeypatch, "ListQueueTags", "us-east-1")
    warnings: list[str] = []
    found = by_arn(live_resources.get_resources(boto3.Session(), ACCOUNT, ["us-east-1"], warnings.append))
    assert found[arns["queue"]]["Tags"] == {} and "Statement" in json.loads(found[arns["queue"]]["Policy"])
    assert len(warnings) == 1 and warnings[0].startswith("sqs:ListQueueTags ") and "loaded as not set" in warnings[0]
    assert found[arns["topic"]]["Tags"] == {"team": "orders"}


def test_regions_default_to_the_enabled_ones(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    make_resources("eu-west-1")
    warnings: list[str] = []
    found = by_arn(live_resources.get_resources(boto3.Session(), ACCOUNT, None, warnings.append))
    assert any(":kms:eu-west-1:" in arn for arn in found) and warnings == []
    deny(monkeypatch, "DescribeRegions", "us-east-1", "UnauthorizedOperation")
    found = by_arn(live_resources.get_resources(boto3.Session(), ACCOUNT, None, warnings.append))
    assert not any(":eu-west-1:" in arn for arn in found)
    assert warnings and "ec2:DescribeRegions: UnauthorizedOperation" in warnings[0] and "us-east-1 only" in warnings[0]


def test_every_client_retries_throttling(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore retries throttling (adaptive mode) for clients made with live.RETRY_CONFIG: every one is."""
    make_resources()
    configs: list[Any] = []
    original = boto3.Session.client

    def client(self: Any, *args: Any, **kwargs: Any) -> Any:
        configs.append(kwargs.get("config"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(boto3.Session, "client", client)
    live_resources.get_resources(boto3.Session(), ACCOUNT, ["us-east-1", "eu-west-1"], lambda warning: None)
    assert len(configs) > 7 and all(config is live.RETRY_CONFIG for config in configs)


def test_collect_resources_then_load_reads_the_same_snapshot(aws: None, tmp_path: Path) -> None:
    make_resources()
    assert main(["collect", "--resources", "--regions", "us-east-1", "-o", str(tmp_path), "-q"]) == 0
    written = tmp_path / f"resources-{ACCOUNT}.json"
    from_file = transform_resources(json.loads(written.read_text(encoding="utf-8")), "file")
    plan = plan_from_live(profile=None, role_arns=[], organization=False, resources=True, regions=["us-east-1"])
    (from_live,) = plan.resources
    for field in ("resources", "policies", "statements", "principals", "aliases", "account_public_access_block"):
        assert getattr(from_file, field) == getattr(from_live, field), field
    assert collect_resources(None, [], tmp_path / "again", ["us-east-1"]) == [tmp_path / "again" / written.name]


def test_collect_regions_need_resources(aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "--gaad", "--regions", "us-east-1", "-o", str(tmp_path)]) == 2
    assert "--regions needs --resources" in capsys.readouterr().err
