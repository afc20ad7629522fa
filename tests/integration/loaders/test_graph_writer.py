"""The writer against a real Neo4j: the model, idempotence, atomic per-account replacement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import neo4j
import pytest

import loaders.graph_writer as graph_writer
from loaders.pipeline import plan_from_paths, write_plan
from service.database import apply_schema
from service.errors import InputError, LoadError
from tests.conftest import empty_database
from tests.support.graph_state import graph_state, load, one, values
from tests.support.samples import (
    ACCOUNT_A,
    ACCOUNT_B,
    EXAMPLES,
    allow,
    gaad,
    gaad_a,
    gaad_b,
    managed,
    organization,
    role,
    user,
    write_json,
)

pytestmark = pytest.mark.neo4j
JESSE = f"arn:aws:iam::{ACCOUNT_A}:user/Jesse"
DANA = f"arn:aws:iam::{ACCOUNT_B}:user/dana"


def fresh(driver: neo4j.Driver) -> None:
    empty_database(driver)
    apply_schema(driver)


def test_demo_scenario_graph(graph: neo4j.Driver) -> None:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    admin_path = values(graph, """
        MATCH (:User {arn: $arn})-[:MEMBER_OF]->(g:Group)-[:HAS_POLICY]->(p:Policy)
        RETURN [g.name, p.name, p.kind, p.known, p.accountId IS NULL, EXISTS { (p)-[:IN_ACCOUNT]->() }]""", arn=JESSE)
    assert admin_path == [["Admins", "AdministratorAccess", "aws", True, True, False]]
    trust = one(graph, """
        MATCH (:Role {name: 'ContractorAccess'})-[t:TRUSTS]->(a:Account)
        RETURN [a.id, a.loaded, t.effect, t.actions, t.conditionKeys, t.principalType, t.notPrincipal]""")
    assert trust == [ACCOUNT_B, True, "Allow", ["sts:AssumeRole"], ["sts:ExternalId"], "AWS", False]
    assert one(graph, "MATCH (:Role)-[:TRUSTS]->(p:Principal) RETURN count(p)") == 0  # delegation: no fan-out
    counts = one(graph, """
        MATCH (a:Account {id: $id}) RETURN [COUNT { (:User)-[:IN_ACCOUNT]->(a) }, COUNT { (:Group)-[:IN_ACCOUNT]->(a) },
               COUNT { (:Role)-[:IN_ACCOUNT]->(a) }, COUNT { (:Policy)-[:IN_ACCOUNT]->(a) }]""", id=ACCOUNT_A)
    assert counts == [5, 3, 1, 2]
    chain = one(graph, """
        MATCH (:Account {id: $id})-[:CHILD_OF]->(ou:OrganizationalUnit)-[:CHILD_OF]->(r:OrgRoot)
              -[:ROOT_OF]->(o:Organization)
        RETURN [ou.name, r.id, o.id, o.managementAccountId]""", id=ACCOUNT_A)
    assert chain == ["WebApp", "r-7xq2", "o-k3x9v2m7qa", "999999999999"]
    scps = values(graph, "MATCH (p:OrgPolicy)-[:ATTACHED_TO]->(:OrgRoot) RETURN p.name ORDER BY p.name")
    assert scps == ["DenyLeaveOrganization", "FullAWSAccess"]
    assert one(graph, "MATCH (a:Account {id: '999999999999'}) RETURN [a.loaded, a.name]") == [False, "Management"]
    document = one(graph, "MATCH (r:Role {name: 'ContractorAccess'}) RETURN r.trustPolicy")
    assert json.loads(document)["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_B}:root"}
    policy_keys = set(values(graph, "MATCH (p:Policy) UNWIND keys(p) AS key RETURN DISTINCT key"))
    assert policy_keys <= {  # docs/graph-model.md's Policy row; nothing written that no query reads
        "arn", "name", "kind", "accountId", "document", "versionId", "known", "id", "path", "description",
        "createDate", "updateDate", "attachmentCount", "boundaryUsageCount", "isAttachable", "ownerArn",
    }


def test_same_input_twice_gives_the_same_graph(graph: neo4j.Driver) -> None:
    write_plan(graph, plan_from_paths([EXAMPLES]))
    first = graph_state(graph)
    write_plan(graph, plan_from_paths([EXAMPLES]))
    assert graph_state(graph) == first


def test_reload_replaces_the_snapshot_as_if_loaded_fresh(graph: neo4j.Driver, tmp_path: Path) -> None:
    changed = gaad_a()
    changed["UserDetailList"] = [u for u in changed["UserDetailList"] if u["UserName"] != "Jake"]
    changed["GroupDetailList"] = [g for g in changed["GroupDetailList"] if g["GroupName"] != "Audit"]
    changed["UserDetailList"][0]["UserPolicyList"] = [{"PolicyName": "extra", "PolicyDocument": allow("s3:*")}]
    changed["RoleDetailList"][0]["AttachedManagedPolicies"] = []
    changed["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {
        "Service": "ec2.amazonaws.com"}
    load(graph, tmp_path, gaad_a(), gaad_b())
    load(graph, tmp_path, changed)
    replaced = graph_state(graph)
    assert one(graph, "MATCH (u:User {name: 'Jake'}) RETURN count(u)") == 0
    assert one(graph, "MATCH (n {accountId: $id}) WHERE n.name = 'Audit' RETURN count(n)", id=ACCOUNT_A) == 0
    fresh(graph)
    load(graph, tmp_path, gaad_b())
    load(graph, tmp_path, changed)
    assert graph_state(graph) == replaced


def test_loading_b_never_touches_a(graph: neo4j.Driver, tmp_path: Path) -> None:
    load(graph, tmp_path, gaad_a())
    nodes_a, rels_a = graph_state(graph)
    load(graph, tmp_path, gaad_b())
    load(graph, tmp_path, gaad(users=[user("dana", account=ACCOUNT_B)]))  # and reload B smaller
    nodes, rels = graph_state(graph)
    untouched = {n for n in nodes_a if f'"id": "{ACCOUNT_B}"' not in n}  # B's own account node changes
    assert untouched <= set(nodes)
    assert set(rels_a) <= set(rels)


def _trusting_dana() -> dict[str, Any]:
    return gaad(roles=[role("ForDana", {"AWS": DANA})])


def test_trusted_principal_placeholder_in_either_load_order(graph: neo4j.Driver, tmp_path: Path) -> None:
    load(graph, tmp_path, _trusting_dana())
    assert one(graph, "MATCH (p:Principal {arn: $arn}) RETURN [labels(p), p.placeholder, p.accountId]", arn=DANA) == [
        ["Principal"], True, ACCOUNT_B]
    load(graph, tmp_path, gaad_b())
    a_then_b = graph_state(graph)
    assert one(graph, "MATCH (:Role {name: 'ForDana'})-[:TRUSTS]->(u:User) RETURN u.arn") == DANA
    fresh(graph)
    load(graph, tmp_path, gaad_b())
    load(graph, tmp_path, _trusting_dana())
    assert graph_state(graph) == a_then_b


def test_removed_but_still_trusted_principal_is_demoted_not_deleted(graph: neo4j.Driver, tmp_path: Path) -> None:
    load(graph, tmp_path, _trusting_dana(), gaad_b())
    without_dana = gaad_b()
    without_dana["UserDetailList"] = [u for u in without_dana["UserDetailList"] if u["UserName"] != "dana"]
    load(graph, tmp_path, without_dana)
    assert one(graph, """
        MATCH (:Role {name: 'ForDana'})-[:TRUSTS]->(p:Principal {arn: $arn})
        RETURN [labels(p), p.placeholder, COUNT { (p)-->() }]""", arn=DANA) == [["Principal"], True, 0]
    load(graph, tmp_path, gaad_b())
    assert one(graph, "MATCH (:Role {name: 'ForDana'})-[:TRUSTS]->(u:User) RETURN u.name") == "dana"


def test_orphaned_placeholders_and_externals_are_removed(graph: neo4j.Driver, tmp_path: Path) -> None:
    load(graph, tmp_path, gaad(roles=[role("R", {"AWS": DANA, "Service": "ec2.amazonaws.com"})]))
    load(graph, tmp_path, gaad(roles=[role("R", {"AWS": "arn:aws:iam::333333333333:root"})]))
    assert one(graph, "MATCH (p:Principal {placeholder: true}) RETURN count(p)") == 0
    assert one(graph, "MATCH (x:ExternalPrincipal) RETURN count(x)") == 0
    load(graph, tmp_path, gaad(roles=[role("R", {"Service": "ec2.amazonaws.com"})]))
    assert one(graph, "MATCH (a:Account) RETURN collect(a.id)") == [ACCOUNT_A]


def test_assumed_role_principal_finds_the_role_behind_its_path(graph: neo4j.Driver, tmp_path: Path) -> None:
    trusting = gaad(roles=[role("Trusting", {"AWS": f"arn:aws:sts::{ACCOUNT_B}:assumed-role/Deployer/ci"})])
    deployer = gaad(roles=[role("Deployer", {"Service": "codebuild.amazonaws.com"}, account=ACCOUNT_B, path="/ci/")])
    load(graph, tmp_path, trusting)
    load(graph, tmp_path, deployer)
    target = f"arn:aws:iam::{ACCOUNT_B}:role/ci/Deployer"
    assert one(graph, "MATCH (:Role {name: 'Trusting'})-[:TRUSTS]->(r:Role) RETURN r.arn") == target
    assert one(graph, "MATCH (p:Principal {placeholder: true}) RETURN count(p)") == 0
    a_then_b = graph_state(graph)
    fresh(graph)
    load(graph, tmp_path, deployer)
    load(graph, tmp_path, trusting)
    assert graph_state(graph) == a_then_b


def test_unknown_policy_is_explicit_and_later_known(graph: neo4j.Driver, tmp_path: Path) -> None:
    read_only = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    attached = [{"PolicyName": "ReadOnlyAccess", "PolicyArn": read_only}]
    load(graph, tmp_path, gaad(users=[user("u", AttachedManagedPolicies=attached)]))
    assert one(graph, "MATCH (:User {name: 'u'})-[:HAS_POLICY]->(p:Policy) RETURN [p.known, p.kind, p.name]") == [
        False, "aws", "ReadOnlyAccess"]
    load(graph, tmp_path, gaad(users=[user("v", account=ACCOUNT_B, AttachedManagedPolicies=attached)],
                               policies=[managed(read_only, allow("s3:Get*"))]))
    assert one(graph, "MATCH (p:Policy {arn: $arn}) RETURN [p.known, p.document IS NOT NULL]", arn=read_only) == [
        True, True]
    load(graph, tmp_path, gaad(users=[user("u", AttachedManagedPolicies=attached)]))  # still known
    assert one(graph, "MATCH (p:Policy {arn: $arn}) RETURN p.known", arn=read_only) is True


def test_aws_managed_policy_keeps_the_newest_document(graph: neo4j.Driver, tmp_path: Path) -> None:
    arn = "arn:aws:iam::aws:policy/Example"
    old = managed(arn, allow("s3:GetObject"), UpdateDate="2020-01-01T00:00:00+00:00")
    new = managed(arn, allow("s3:PutObject"), UpdateDate="2024-01-01T00:00:00+00:00")
    load(graph, tmp_path, gaad(users=[user("a")], policies=[old]))
    load(graph, tmp_path, gaad(users=[user("b", account=ACCOUNT_B)], policies=[new]))
    load(graph, tmp_path, gaad(users=[user("a")], policies=[old]))
    assert "s3:PutObject" in one(graph, "MATCH (p:Policy {arn: $arn}) RETURN p.document", arn=arn)


def test_organization_reload_replaces_it_as_if_fresh(graph: neo4j.Driver, tmp_path: Path) -> None:
    changed = organization()
    changed["OrganizationalUnits"] = []
    for account in changed["Accounts"]:
        account["ParentId"] = "r-7xq2"
    changed["Policies"][1]["PolicySummary"]["Name"] = "DenyLeavingRenamed"
    for policy in changed["Policies"]:
        policy["Targets"] = [t for t in policy["Targets"] if t["TargetId"] != "ou-7xq2-5hd81kzp"]
    load(graph, tmp_path, organization())
    load(graph, tmp_path, changed)
    replaced = graph_state(graph)
    assert one(graph, "MATCH (ou:OrganizationalUnit) RETURN count(ou)") == 0
    fresh(graph)
    load(graph, tmp_path, changed)
    assert graph_state(graph) == replaced


def test_a_bad_file_among_good_ones_writes_nothing(graph: neo4j.Driver, tmp_path: Path) -> None:
    load(graph, tmp_path, gaad_a())
    before = graph_state(graph)
    broken = gaad_b()
    broken["UserDetailList"][0]["GroupList"] = ["Nope"]
    paths = [write_json(tmp_path / "a.json", gaad_a()), write_json(tmp_path / "b.json", broken)]
    with pytest.raises(InputError, match=r"b\.json: user 'dana'"):
        write_plan(graph, plan_from_paths(paths))
    assert graph_state(graph) == before


def test_a_failure_inside_the_transaction_rolls_everything_back(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(graph, tmp_path, gaad_a())
    before = graph_state(graph)
    changed = gaad_a()
    changed["UserDetailList"].pop()
    real_query = graph_writer.query
    monkeypatch.setattr(
        graph_writer, "query", lambda name: "RETURN 1/0" if name == "load_trusts_account" else real_query(name)
    )
    with pytest.raises(LoadError, match="keeps its previous snapshot") as failure:
        load(graph, tmp_path, changed, batch_size=1)
    assert isinstance(failure.value.__cause__, neo4j.exceptions.Neo4jError)
    assert graph_state(graph) == before
