"""The API's in-memory principal index (service/reachability/index.py, snapshot.py) against the real graph: one running
app sees every load without a restart, and principals that share a decision never share a wrong one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from service.api.app import create_app
from service.database import Neo4jSettings
from tests.integration.api.conftest import Load
from tests.support.gaad import Account, allow, deny, document, organization, trust
from tests.support.gaad import trusts as trusts_principal

A, B = "111122223333", "444455556666"
BUCKET = "arn:aws:s3:::reports/q1.csv"
WHO_CAN = "query($a: String!, $r: String!) { whoCan(action: $a, resource: $r, limit: 10000) { principal { arn } } }"


def who_can(c: TestClient, action: str, resource: str = BUCKET) -> set[str]:
    response = c.post("/graphql", json={"query": WHO_CAN, "variables": {"a": action, "r": resource}})
    body = response.json()
    assert response.status_code == 200 and not body.get("errors"), body
    return {answer["principal"]["arn"] for answer in body["data"]["whoCan"]}


def test_a_reload_is_seen_by_the_running_app(load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path) -> None:
    a = Account(A)
    a.user("reader", inline=[allow("s3:GetObject")])
    a.user("gone", inline=[allow("s3:*")])
    load(a.write(tmp_path))
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        assert who_can(c, "s3:DeleteObject") == {a.arn("user", "gone")}

        changed = Account(A)
        changed.user("reader", inline=[allow("s3:*")])
        load(changed.write(tmp_path))
        assert who_can(c, "s3:DeleteObject") == {a.arn("user", "reader")}

        trusts = "{ crossAccountTrusts { role { arn } } }"
        assert c.post("/graphql", json={"query": trusts}).json()["data"]["crossAccountTrusts"] == []

        b = Account(B)
        b.user("other", inline=[allow("s3:DeleteObject")])
        b.role("FromA", trust(trusts_principal({"AWS": f"arn:aws:iam::{A}:root"})))
        load(b.write(tmp_path))
        assert who_can(c, "s3:DeleteObject") == {a.arn("user", "reader"), b.arn("user", "other")}
        found = c.post("/graphql", json={"query": trusts}).json()["data"]["crossAccountTrusts"]
        assert found == [{"role": {"arn": b.arn("role", "FromA")}}]


def test_an_organization_reload_is_seen_by_the_running_app(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    a = Account(A)
    a.user("admin", inline=[allow("*")])
    full = {"Version": "2012-10-17", "Statement": [allow("*")]}
    no_delete = {"Version": "2012-10-17", "Statement": [allow("*"), deny("s3:DeleteObject")]}
    levels = {"r-root": [full], "ou-team": [full], A: [full]}
    load(a.write(tmp_path), organization(tmp_path, accounts={A: "ou-team"}, levels=levels))
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        assert who_can(c, "s3:DeleteObject") == {a.arn("user", "admin")}
        load(organization(tmp_path, accounts={A: "ou-team"}, levels={**levels, "ou-team": [no_delete]}))
        assert who_can(c, "s3:DeleteObject") == set()


def test_a_new_version_of_an_aws_managed_policy_reaches_every_account(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    managed = "arn:aws:iam::aws:policy/ExampleManaged"
    a, b = Account(A), Account(B)
    a.user("in-a", managed=[managed])
    b.user("in-b", managed=[managed])
    for account in (a, b):
        account.policies.append(_aws_managed(managed, "v1", allow("s3:GetObject")))
    load(a.write(tmp_path), b.write(tmp_path))
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        assert who_can(c, "s3:DeleteObject") == set()
        a.policies[0] = _aws_managed(managed, "v2", allow("s3:*"))
        load(a.write(tmp_path))  # only account A is loaded again; the policy node is global
        assert who_can(c, "s3:DeleteObject") == {a.arn("user", "in-a"), b.arn("user", "in-b")}


def test_principals_with_equal_policies_part_on_principal_keys(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    a = Account(A)
    own_folder = a.policy("OwnFolder", allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    red_only = a.policy("RedTeam", allow("s3:PutObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))
    for name, team in (("alice", "red"), ("bob", "blue")):
        a.user(name, managed=[own_folder, red_only], tags={"team": team})
    load(a.write(tmp_path))
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        assert who_can(c, "s3:GetObject", "arn:aws:s3:::home/alice/notes.txt") == {a.arn("user", "alice")}
        assert who_can(c, "s3:GetObject", "arn:aws:s3:::home/bob/notes.txt") == {a.arn("user", "bob")}
        assert who_can(c, "s3:PutObject") == {a.arn("user", "alice")}


def test_an_scp_naming_a_principal_is_decided_per_principal(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    a = Account(A)
    admin = a.policy("Admin", allow("*"))
    for name in ("breakglass", "ops"):
        a.user(name, managed=[admin])
    full = {"Version": "2012-10-17", "Statement": [allow("*")]}
    only_breakglass = {
        "Version": "2012-10-17",
        "Statement": [
            deny("iam:*", Condition={"ArnNotLike": {"aws:PrincipalArn": a.arn("user", "breakglass")}}),
        ],
    }
    load(
        a.write(tmp_path),
        organization(
            tmp_path, accounts={A: "ou-team"}, levels={"r-root": [full, only_breakglass], "ou-team": [full], A: [full]}
        ),
    )
    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        assert who_can(c, "iam:CreateUser", f"arn:aws:iam::{A}:user/x") == {a.arn("user", "breakglass")}
        assert who_can(c, "s3:GetObject") == {a.arn("user", "breakglass"), a.arn("user", "ops")}


def _aws_managed(arn: str, version: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "PolicyId": "ANPAEXAMPLEMANAGED01",
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": version,
        "AttachmentCount": 2,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": "2024-01-01T00:00:00Z",
        "UpdateDate": "2024-01-01T00:00:00Z",
        "PolicyVersionList": [
            {
                "Document": document(*statements),
                "VersionId": version,
                "IsDefaultVersion": True,
                "CreateDate": "2024-01-01T00:00:00Z",
            }
        ],
    }


def test_kept_decisions_follow_a_reload(load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path) -> None:
    """Roles that trust the whole organization share group decisions across questions (and the index keeps
    what it weighed of the accounts that were not loaded again): a reload of one account changes exactly
    its principals' answers."""
    anyone_in_org = trust(
        trusts_principal({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-testorg001"}})
    )
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    a, b = Account(A), Account(B)
    a.role("OrgReaderA", anyone_in_org)
    b.role("OrgReaderB", anyone_in_org)
    a.user("alice", managed=[a.policy("Hop", allow("sts:AssumeRole", Condition=mfa))])
    b.user("bob", managed=[b.policy("Hop", allow("sts:AssumeRole"))])
    full = {"Version": "2012-10-17", "Statement": [allow("*")]}
    levels = {"r-root": [full], "ou-team": [full], A: [full], B: [full]}
    snapshot = organization(tmp_path, accounts={A: "ou-team", B: "ou-team"}, levels=levels)
    load(a.write(tmp_path), b.write(tmp_path), snapshot)
    query = "query($r: String!) { whoCanAssume(roleArn: $r) { principal { arn } conditionText } }"

    def assumers(c: TestClient, role: str) -> dict[str, str | None]:
        body = c.post("/graphql", json={"query": query, "variables": {"r": role}}).json()
        assert not body.get("errors"), body
        found = {x["principal"]["arn"]: x["conditionText"] for x in body["data"]["whoCanAssume"]}
        # (Principals of the organization that are not loaded, on their own policies, stand as one.)
        assert found.pop("*") == 'aws:PrincipalOrgID StringEquals "o-testorg001"'
        return found

    with TestClient(create_app(settings=neo4j_settings, tokens=())) as c:
        mfa_text = 'aws:MultiFactorAuthPresent Bool "true"'
        assert assumers(c, b.arn("role", "OrgReaderB")) == {
            a.arn("user", "alice"): mfa_text,
            b.arn("user", "bob"): None,
        }
        # alice's policy loses its condition (same ARN, new document); bob's account is not loaded again.
        a.policies = [p for p in a.policies if not p["Arn"].endswith("/Hop")]
        a.users.clear()
        a.user("alice", managed=[a.policy("Hop", allow("sts:AssumeRole"))])
        load(a.write(tmp_path))
        expected = {a.arn("user", "alice"): None, b.arn("user", "bob"): None}
        assert assumers(c, b.arn("role", "OrgReaderB")) == expected
        assert assumers(c, a.arn("role", "OrgReaderA")) == {b.arn("user", "bob"): None, a.arn("user", "alice"): None}
        # bob may assume nothing any more: both roles lose him, alice keeps both.
        b.policies = [p for p in b.policies if not p["Arn"].endswith("/Hop")]
        b.users.clear()
        b.user("bob", managed=[b.policy("Hop", allow("s3:GetObject"))])
        load(b.write(tmp_path))
        assert assumers(c, a.arn("role", "OrgReaderA")) == {a.arn("user", "alice"): None}
        assert assumers(c, b.arn("role", "OrgReaderB")) == {a.arn("user", "alice"): None, b.arn("user", "bob"): None}


def test_roles_read_at_once_are_those_read_one_by_one(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    """`reach_roles` (the escalation walk's read of a hop's roles) gives what `reach_role` gives for each
    ARN that is a role, and nothing for one that is not."""
    import asyncio

    from service.database.reader import GraphReader

    a = Account(A)
    a.user("someone", inline=[allow("sts:AssumeRole")])
    a.role("Ops", trust(trusts_principal({"AWS": f"arn:aws:iam::{A}:root"})))
    a.role("Fn", trust(trusts_principal({"Service": "lambda.amazonaws.com"})))
    load(a.write(tmp_path))
    arns = [a.arn("role", "Fn"), a.arn("user", "someone"), a.arn("role", "Missing"), a.arn("role", "Ops")]

    async def read() -> tuple[list[object], list[object]]:
        reader = GraphReader(neo4j_settings)
        try:
            one_by_one = [record for arn in arns if (record := await reader.role(arn)) is not None]
            return list(await reader.roles(arns)), list(one_by_one)
        finally:
            await reader.close()

    at_once, one_by_one = asyncio.run(read())
    assert at_once == one_by_one
    assert [record.arn for record in at_once] == [a.arn("role", "Fn"), a.arn("role", "Ops")]  # type: ignore[attr-defined]
