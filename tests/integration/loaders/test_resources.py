"""Resource snapshots against a real Neo4j: the model, what GraphReader reads back, replacement in one
transaction (a failed load keeps the previous snapshot), independence from IAM reloads, and the live path
(moto): `collect --resources` then `load` gives the same graph as `load --live --resources`."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import neo4j
import pytest

from loaders.collect import collect_gaad, collect_resources, plan_from_live
from loaders.pipeline import plan_from_paths, write_plan
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.database.records import PublicAccessBlockRecord, ResourceRecord
from service.errors import LoadError
from tests.support.gaad import Account, trust, trusts
from tests.support.graph_state import graph_state, one, values
from tests.support.samples import EXAMPLES, gaad_a, write_json

pytestmark = pytest.mark.neo4j
EXAMPLE = EXAMPLES / "resources-111111111111.json"
SHARED = "arn:aws:s3:::webapp-contractor-assets"
KEY = "arn:aws:kms:us-east-1:111111111111:key/4f1c2d7e-8a3b-4c5d-9e6f-0a1b2c3d4e5f"
ALIAS = "arn:aws:kms:us-east-1:111111111111:alias/webapp-data"
QUEUE = "arn:aws:sqs:us-east-1:222222222222:partner-inbox"


def example() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def partner(*extra: dict[str, Any]) -> dict[str, Any]:
    return {"AccountId": "222222222222", "AccountPublicAccessBlock": None, "Resources": [
        {"Arn": QUEUE, "Type": "AWS::SQS::Queue", "Region": "us-east-1", "Policy": {
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/Jesse"},
                "Action": "sqs:SendMessage", "Resource": QUEUE}]}},
        *extra,
    ]}


def load_files(driver: neo4j.Driver, tmp_path: Path, *documents: dict[str, Any]) -> None:
    start = len(list(tmp_path.iterdir()))
    paths = [write_json(tmp_path / f"r-{start}-{index}.json", d) for index, d in enumerate(documents)]
    write_plan(driver, plan_from_paths(paths))


Records = list[ResourceRecord]


def records(settings: Neo4jSettings, account: str | None, arns: list[str]) -> tuple[Records, Records]:
    async def read() -> tuple[Records, Records]:
        reader = GraphReader(settings)
        try:
            return await reader.account_resources(account), await reader.resources(arns)
        finally:
            await reader.close()

    return asyncio.run(read())


def test_demo_resources_in_the_graph_and_read_back(graph: neo4j.Driver, neo4j_settings: Neo4jSettings) -> None:
    summary = write_plan(graph, plan_from_paths([EXAMPLES]))
    (loaded,) = summary.resources
    assert loaded["types"]["AWS::S3::Bucket"] == 2 and loaded["resources"] == 6 and loaded["removed"] == 0
    labels = values(graph, "MATCH (r:Resource)-[:RESOURCE_IN]->(:Account {id: '111111111111'}) "
                           "RETURN [l IN labels(r) WHERE l <> 'Resource'][0] AS label ORDER BY label")
    assert labels == ["KmsKey", "LambdaFunction", "S3Bucket", "S3Bucket", "SnsTopic", "SqsQueue"]
    named = one(graph, """
        MATCH (:Resource {arn: $arn})-[:HAS_RESOURCE_POLICY]->(:ResourcePolicy)-[:HAS_STATEMENT]->(s)
              -[e:NAMES]->(a:Account)
        RETURN collect([s.statementIndex, s.sid, s.effect, s.actions, e.principalType, a.id, a.loaded])""", arn=SHARED)
    assert sorted(named) == [
        [0, "ContractorAccountReadWrite", "Allow", ["s3:GetObject", "s3:PutObject"], "AWS", "222222222222", True],
        [1, "ContractorAccountList", "Allow", ["s3:ListBucket"], "AWS", "222222222222", True],
    ]
    assert one(graph, "MATCH (:ResourceStatement)-[:NAMES]->(p:Principal) RETURN count(p)") == 0  # no fan-out
    assert one(graph, "MATCH (:LambdaFunction)-[:EXECUTES_AS]->(r:Principal) RETURN [r.arn, r.placeholder]") == [
        "arn:aws:iam::111111111111:role/service-role/webapp-thumbnailer-role", True]
    assert one(graph, "MATCH (:ResourceSnapshot {id: '111111111111'})-[:SNAPSHOT_OF]->(a) RETURN a.loaded") is True

    block = PublicAccessBlockRecord(True, True, True, True)
    everything, by_arn = records(neo4j_settings, "111111111111", [ALIAS, SHARED, "arn:aws:s3:::not-loaded"])
    assert [r.arn for r in everything] == sorted(r.arn for r in everything) and len(everything) == 6
    key, shared = by_arn  # the alias found its key; an ARN nothing was loaded for has no record
    assert (key.arn, key.key_manager, key.aliases, key.account_public_access_block) == (KEY, "CUSTOMER", (ALIAS,), None)
    assert shared.arn == SHARED and shared.account_id == "111111111111" and shared.public_access_block is None
    assert shared.account_public_access_block == block and shared.tags == {"app": "webapp", "shared-with": "contractor"}
    assert json.loads(shared.policy or "")["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::222222222222:root"}
    assert records(neo4j_settings, None, [])[0] == everything


def test_a_reload_replaces_the_resources_as_if_loaded_fresh(graph: neo4j.Driver, tmp_path: Path) -> None:
    changed = example()
    changed["Resources"] = [r for r in changed["Resources"] if r["Type"] != "AWS::SQS::Queue"]
    changed["Resources"][1]["Policy"]["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::333333333333:root"}
    changed["AccountPublicAccessBlock"] = None
    load_files(graph, tmp_path, example(), partner())
    load_files(graph, tmp_path, changed)
    replaced = graph_state(graph)
    assert one(graph, "MATCH (e:ExternalPrincipal {key: 'service:sns.amazonaws.com'}) RETURN count(e)") == 0
    assert one(graph, "MATCH (a:Account {id: '111111111111'}) RETURN a.s3PublicAccessBlock") is None
    assert one(graph, "MATCH (:ResourceStatement)-[:NAMES]->(a:Account {id: '333333333333'}) RETURN a.loaded") is False

    graph.execute_query("MATCH (n) DETACH DELETE n")
    load_files(graph, tmp_path, partner())
    load_files(graph, tmp_path, changed)
    assert graph_state(graph) == replaced


def test_the_same_snapshot_twice_gives_the_same_graph(graph: neo4j.Driver, tmp_path: Path) -> None:
    load_files(graph, tmp_path, example(), partner())
    first = graph_state(graph)
    load_files(graph, tmp_path, example(), partner())
    assert graph_state(graph) == first


def test_iam_and_resource_reloads_leave_each_other_alone(graph: neo4j.Driver, tmp_path: Path) -> None:
    load_files(graph, tmp_path, gaad_a(), example(), partner())
    both = graph_state(graph)
    load_files(graph, tmp_path, gaad_a())
    assert graph_state(graph) == both
    load_files(graph, tmp_path, example())
    assert graph_state(graph) == both
    # Jesse, named by the partner's queue policy, leaves his account: he stays as a placeholder it points at.
    without_jesse = gaad_a()
    without_jesse["UserDetailList"] = [u for u in without_jesse["UserDetailList"] if u["UserName"] != "Jesse"]
    load_files(graph, tmp_path, without_jesse)
    assert one(graph, """MATCH (:SqsQueue {arn: $arn})-[:HAS_RESOURCE_POLICY]->()-[:HAS_STATEMENT]->()-[:NAMES]->(p)
                         RETURN [p.arn, p.placeholder, p:User]""", arn=QUEUE) == [
        "arn:aws:iam::111111111111:user/Jesse", True, False]


def test_a_session_principal_follows_its_role_when_the_roles_account_loads_later(
    graph: neo4j.Driver, tmp_path: Path
) -> None:
    """A queue policy names a session of a role whose account is not loaded: the edge points at the path-less
    role ARN (a placeholder) until that account loads, then at the role, whose real ARN has a path."""
    session = "arn:aws:sts::333333333333:assumed-role/Worker/build-17"
    queue = {"Arn": "arn:aws:sqs:us-east-1:222222222222:jobs", "Type": "AWS::SQS::Queue", "Region": "us-east-1",
             "Policy": {"Version": "2012-10-17", "Statement": [{
                 "Effect": "Allow", "Principal": {"AWS": session}, "Action": "sqs:SendMessage",
                 "Resource": "arn:aws:sqs:us-east-1:222222222222:jobs"}]}}
    load_files(graph, tmp_path, partner(queue))
    named = "MATCH (:Resource {arn: $arn})-[:HAS_RESOURCE_POLICY]->()-[:HAS_STATEMENT]->()-[:NAMES]->(p) "
    assert values(graph, named + "RETURN p.arn AS arn", arn=queue["Arn"]) == ["arn:aws:iam::333333333333:role/Worker"]

    account = Account("333333333333")
    account.role("Worker", trust(trusts({"Service": "codebuild.amazonaws.com"})))
    account.roles[-1]["Path"] = "/ci/"
    account.roles[-1]["Arn"] = account.arn("role", "ci/Worker")
    write_plan(graph, plan_from_paths([account.write(tmp_path)]))

    assert values(graph, named + "RETURN p.arn + ' ' + coalesce(p.placeholder, false) AS arn", arn=queue["Arn"]) == [
        "arn:aws:iam::333333333333:role/ci/Worker false"
    ]
    assert one(graph, "MATCH (p:Principal {arn: 'arn:aws:iam::333333333333:role/Worker'}) RETURN count(p)") == 0


def test_a_failed_load_keeps_the_previous_resources(graph: neo4j.Driver, tmp_path: Path) -> None:
    load_files(graph, tmp_path, example(), partner())
    before = graph_state(graph)
    # The partner's new snapshot claims a bucket account 111111111111 holds: the server refuses it (unique
    # Resource.arn) after the partner's old resources were deleted in the same transaction.
    stolen = {"Arn": SHARED, "Type": "AWS::S3::Bucket", "Region": "us-east-1", "Policy": None}
    bad = partner(stolen)
    bad["Resources"][0]["Policy"]["Statement"][0]["Action"] = "sqs:*"
    path = write_json(tmp_path / "bad.json", bad)
    with pytest.raises(LoadError) as caught:
        write_plan(graph, plan_from_paths([path]))
    message = str(caught.value)
    assert message.startswith(f"{path}: writing resources of account 222222222222 failed")
    assert "keeps its previous snapshot" in message
    assert graph_state(graph) == before
    load_files(graph, tmp_path, partner())  # nothing left locked or half-written
    assert graph_state(graph) == before


def test_collect_then_load_gives_the_live_graph(aws: None, graph: neo4j.Driver, tmp_path: Path) -> None:
    from tests.unit.loaders.test_resources_live import make_resources

    make_resources("us-east-1")
    make_resources("eu-west-1")
    regions = ["us-east-1", "eu-west-1"]
    write_plan(graph, plan_from_live(profile=None, role_arns=[], organization=False, resources=True, regions=regions))
    live = graph_state(graph)
    assert one(graph, "MATCH (r:Resource) RETURN count(r)") > 12
    assert one(graph, "MATCH (:LambdaFunction)-[:EXECUTES_AS]->(r:Role) RETURN count(r)") == 2  # the loaded role

    graph.execute_query("MATCH (n) DETACH DELETE n")
    collect_gaad(None, [], tmp_path)
    collect_resources(None, [], tmp_path, regions)
    write_plan(graph, plan_from_paths([tmp_path]))
    assert graph_state(graph) == live
