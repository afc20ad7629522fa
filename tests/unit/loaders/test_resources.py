"""Resource snapshots (#14): recognised by content, validated (a bad one names file, ARN and statement),
turned into rows; the demo file loads; FakeSource answers as reach_resources does."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from loaders.detect import read_input
from loaders.pipeline import combine, plan_from_paths
from loaders.resources import transform_resources
from service.cli import main
from service.database.records import PublicAccessBlockRecord, ResourceRecord
from service.errors import InputError
from tests.support.samples import EXAMPLES, write_json
from tests.unit.reachability.fake_source import FakeSource, run

BUCKET = "arn:aws:s3:::webapp-contractor-assets"
ALIAS = "arn:aws:kms:us-east-1:111111111111:alias/webapp-data"
KEY = "arn:aws:kms:us-east-1:111111111111:key/4f1c2d7e-8a3b-4c5d-9e6f-0a1b2c3d4e5f"
EXAMPLE = EXAMPLES / "resources-111111111111.json"


def example() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def resource(document: dict[str, Any], arn: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in document["Resources"] if item["Arn"] == arn)
    return found


def refused(tmp_path: Path, document: Any) -> str:
    path = write_json(tmp_path / "resources.json", document)
    with pytest.raises(InputError) as caught:
        plan_from_paths([path])
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_the_demo_snapshot_is_recognised_and_transformed() -> None:
    document = read_input(EXAMPLE)
    assert document.kind == "resources"
    snapshot = transform_resources(document.values[0], document.source)
    assert snapshot.counts() == {
        "AWS::S3::Bucket": 2, "AWS::KMS::Key": 1, "AWS::SQS::Queue": 1, "AWS::SNS::Topic": 1,
        "AWS::Lambda::Function": 1, "AWS::SecretsManager::Secret": 0, "AWS::ECR::Repository": 0,
    }
    names = {(row.statement_key, row.target_kind, row.target) for row in snapshot.principals}
    assert (f"{BUCKET}#0", "account", "222222222222") in names  # account root: delegation, not fanned out
    queue_key = "arn:aws:sqs:us-east-1:111111111111:webapp-orders-queue#0"
    assert (queue_key, "external", "service:sns.amazonaws.com") in names
    queue = next(row for row in snapshot.statements if row.resource_arn.endswith("webapp-orders-queue"))
    assert queue.condition_keys == ("aws:SourceArn",) and queue.actions == ("sqs:SendMessage",)
    lam = next(row for row in snapshot.resources if row.type == "AWS::Lambda::Function")
    assert lam.role == "arn:aws:iam::111111111111:role/service-role/webapp-thumbnailer-role"
    assert [(a.arn, a.key_arn) for a in snapshot.aliases] == [(ALIAS, KEY)]
    assert json.loads(snapshot.account_public_access_block or "")["RestrictPublicBuckets"] is True


def test_a_policy_as_json_text_and_unknown_fields_load(tmp_path: Path) -> None:
    document = example()
    bucket = resource(document, BUCKET)
    bucket["Policy"] = json.dumps(bucket["Policy"])
    bucket["SomethingNew"] = {"kept": "and ignored"}
    document["CollectedBy"] = "a newer accessgraph"
    path = write_json(tmp_path / "r.json", document)
    (snapshot,) = plan_from_paths([path]).resources
    assert json.loads(next(p.document for p in snapshot.policies if p.resource_arn == BUCKET)) == json.loads(
        bucket["Policy"]
    )


def test_a_bad_statement_is_refused_naming_file_arn_and_statement(tmp_path: Path) -> None:
    document = example()
    resource(document, BUCKET)["Policy"]["Statement"][1]["Effect"] = "Permit"
    message = refused(tmp_path, document)
    assert f"resource {BUCKET}" in message and "statement 1" in message and "Effect" in message


def test_a_statement_without_a_principal_is_refused(tmp_path: Path) -> None:
    document = example()
    del resource(document, BUCKET)["Policy"]["Statement"][0]["Principal"]
    message = refused(tmp_path, document)
    assert f"resource {BUCKET}" in message and "statement 0" in message and "Principal" in message


def test_a_principal_no_aws_could_have_saved_is_refused(tmp_path: Path) -> None:
    document = example()
    resource(document, BUCKET)["Policy"]["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::2222:root\n"}
    message = refused(tmp_path, document)
    assert f"resource {BUCKET}" in message and "statement 0" in message and "Principal.AWS" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(AccountId="1111"), "AccountId '1111' is not a 12-digit account id"),
        (lambda d: d.update(Resources={}), "Resources must be a list"),
        (lambda d: d["Resources"][0].update(Type="AWS::S3::Object"), "Type 'AWS::S3::Object' is not one of"),
        (lambda d: d["Resources"][2].update(Arn="arn:aws:kms:us-east-1:999999999999:key/x"), "names account"),
        (lambda d: d["Resources"][2].update(Arn="arn:aws:sqs:us-east-1:111111111111:q"), "not the ARN of an"),
        (lambda d: d["Resources"][0].update(KeyManager="AWS"), "KeyManager is only for AWS::KMS::Key"),
        (lambda d: d["Resources"][2].update(KeyManager="ME"), "KeyManager 'ME' must be AWS or CUSTOMER"),
        (lambda d: d["Resources"][0]["PublicAccessBlock"].update(BlockPublicAcls="yes"), "must be true or false"),
        (lambda d: d["Resources"][5].update(Role="webapp-role"), "is not an IAM role ARN"),
        (lambda d: d["Resources"][2].update(Aliases=["alias/x"]), "is not a KMS alias ARN"),
        (lambda d: d["Resources"][0].update(Tags={"k": 1}), "keys and values must be strings"),
        (lambda d: d["Resources"].append(copy.deepcopy(d["Resources"][0])), "listed twice"),
    ],
)
def test_bad_fields_are_refused_naming_the_file_and_resource(tmp_path: Path, change: Any, expected: str) -> None:
    document = example()
    change(document)
    assert expected in refused(tmp_path, document)


def test_tags_as_aws_lists_read_as_an_object() -> None:
    document = example()
    document["Resources"][0]["Tags"] = [{"Key": "app", "Value": "webapp"}]
    snapshot = transform_resources(document, "r.json")
    assert json.loads(snapshot.resources[0].tags) == {"app": "webapp"}


def test_one_account_or_one_bucket_in_two_snapshots_is_refused() -> None:
    first = transform_resources(example(), "a.json")
    with pytest.raises(InputError, match=r"resources of account 111111111111 are also in a\.json"):
        combine([], [], resources=[first, transform_resources(example(), "b.json")])
    other = example()
    other["AccountId"] = "222222222222"
    other["Resources"] = [resource(other, BUCKET)]
    with pytest.raises(InputError, match=re.escape(f"resource {BUCKET} is also in a.json")):
        combine([], [], resources=[first, transform_resources(other, "c.json")])


def test_dry_run_prints_counts_per_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLE), "--dry-run", "--json"]) == 0
    out, err = capsys.readouterr()
    (summary,) = json.loads(out)["resources"]
    assert summary["types"]["AWS::S3::Bucket"] == 2 and summary["resources"] == 6 and summary["statements"] == 6
    assert "resources of account 111111111111: 2 AWS::S3::Bucket, 1 AWS::KMS::Key" in err


def test_resource_options_need_live(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(EXAMPLE), "--resources"]) == 2
    assert "--resources needs --live" in capsys.readouterr().err


def test_fake_source_answers_as_reach_resources() -> None:
    block = PublicAccessBlockRecord(True, True, True, True)
    bucket = ResourceRecord(BUCKET, "AWS::S3::Bucket", "111111111111", "us-east-1", None,
                            account_public_access_block=block)
    key = ResourceRecord(KEY, "AWS::KMS::Key", "111111111111", "us-east-1", "{}", key_manager="CUSTOMER",
                         aliases=(ALIAS,))
    foreign = ResourceRecord("arn:aws:sqs:us-east-1:222222222222:q", "AWS::SQS::Queue", "222222222222", "us-east-1",
                             None)
    source = FakeSource(resources=[key, foreign, bucket])
    assert run(source.account_resources("111111111111")) == [key, bucket]  # by ARN
    assert run(source.account_resources(None)) == [key, bucket, foreign]
    assert run(source.resources([ALIAS, KEY, "arn:aws:s3:::x"])) == [key]


def test_bench_generates_resource_snapshots_that_load(tmp_path: Path) -> None:
    from bench.generate import generate

    first = generate(tmp_path / "a", 400, accounts=3, seed=4, resources=90)
    generate(tmp_path / "b", 400, accounts=3, seed=4, resources=90)
    files = sorted((tmp_path / "a").glob("resources-*.json"))
    assert len(files) == 3 and first.counts["resources"] == 90
    assert [f.read_bytes() for f in files] == [(tmp_path / "b" / f.name).read_bytes() for f in files]
    plan = plan_from_paths([tmp_path / "a"])
    assert sum(len(snapshot.resources) for snapshot in plan.resources) == 90
    accounts = {account.account_id for account in plan.accounts}
    targets = [row for snapshot in plan.resources for row in snapshot.principals]
    assert any(row.target_kind == "account" and row.target in accounts - {row.statement_key.split(":")[4]}
               for row in targets if row.target_account_id)  # another account of the organization
    assert any(row.external_kind == "any" for row in targets)  # public or organization-wide
    assert any(row.external_kind == "service" for row in targets)
    generate(tmp_path / "a", 400, accounts=3, seed=4)  # no resources: none of the earlier run's are left
    assert not list((tmp_path / "a").glob("resources-*.json"))
