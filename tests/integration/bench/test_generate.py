"""bench/generate.py: deterministic synthetic organizations of the requested size, that `accessgraph load`
accepts and whose trusts and SCPs the API answers about as their documents say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from bench.generate import ORGANIZATION_FILE, Generated, generate, main
from bench.synthetic_org import MIN_PER_ACCOUNT, default_accounts
from loaders.pipeline import plan_from_paths
from service import cli
from service.cli.questions import TRUST_REVIEW, WHO_CAN_ASSUME, run_query
from service.database import apply_schema
from tests.conftest import empty_database

SMALL, SMALL_ACCOUNTS = 300, 4
ACCESS = """query($p: String!, $a: String!, $r: String!) {
  access(principalArn: $p, action: $a, resource: $r) { decision explanation { policyType sid effect } }
}"""
NEIGHBOURS = """query($arn: String!, $after: String) {
  neighbours(arn: $arn, first: 500, after: $after) { edges { from to kind } endCursor }
}"""


def _contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _gaads(folder: Path) -> dict[str, dict[str, Any]]:
    return {path.name[5:-5]: json.loads(path.read_text()) for path in sorted(folder.glob("gaad-*.json"))}


def _organization(folder: Path) -> dict[str, Any]:
    organization: dict[str, Any] = json.loads((folder / ORGANIZATION_FILE).read_text())
    return organization


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_organization(tmp_path: Path) -> None:
    generate(tmp_path / "a", SMALL, accounts=SMALL_ACCOUNTS, seed=1)
    generate(tmp_path / "b", SMALL, accounts=SMALL_ACCOUNTS, seed=1)
    generate(tmp_path / "c", SMALL, accounts=SMALL_ACCOUNTS, seed=2)
    first, again, other = (_contents(tmp_path / name) for name in "abc")
    assert first == again
    assert len(first) == SMALL_ACCOUNTS + 1
    assert set(first).isdisjoint(set(other) - {ORGANIZATION_FILE})  # other account ids
    assert first[ORGANIZATION_FILE] != other[ORGANIZATION_FILE]
    assert _organization(tmp_path / "a")["Organization"]["Id"] != _organization(tmp_path / "c")["Organization"]["Id"]


@pytest.mark.parametrize(("principals", "accounts"), [(SMALL, 3), (1234, None), (2500, 7), (5 * MIN_PER_ACCOUNT, 5)])
def test_the_requested_size_is_met_and_every_file_passes_the_loaders(
    tmp_path: Path, principals: int, accounts: int | None
) -> None:
    result = generate(tmp_path, principals, accounts=accounts, seed=5)
    gaads = _gaads(tmp_path)
    users = sum(len(g["UserDetailList"]) for g in gaads.values())
    roles = sum(len(g["RoleDetailList"]) for g in gaads.values())
    assert users + roles == principals
    assert len(gaads) == (accounts or default_accounts(principals))
    assert (result.counts["users"], result.counts["roles"]) == (users, roles)
    assert 0.25 < users / principals < 0.5  # roughly 40 % users, 60 % roles
    assert sorted(a["Id"] for a in _organization(tmp_path)["Accounts"]) == sorted(gaads)

    plan = plan_from_paths([tmp_path])  # reads, validates every document with the evaluator's parser
    assert sum(len(a.users) + len(a.roles) for a in plan.accounts) == principals
    assert [len(o.accounts) for o in plan.organizations] == [len(gaads)]
    assert {a.account_id for a in plan.accounts} == set(gaads)


def test_too_few_principals_for_the_accounts_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="cannot fill"):
        generate(tmp_path, 3 * MIN_PER_ACCOUNT - 1, accounts=3)
    with pytest.raises(SystemExit) as exit_info:
        main(["--principals", "10", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "cannot fill" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_smaller_run_replaces_a_bigger_one_in_the_same_folder(tmp_path: Path) -> None:
    generate(tmp_path, 2000, accounts=6, seed=1)
    generate(tmp_path, SMALL, accounts=3, seed=9)
    assert len(list(tmp_path.glob("gaad-*.json"))) == 3
    assert not list(tmp_path.glob("*.partial"))
    assert sum(len(a.users) + len(a.roles) for a in plan_from_paths([tmp_path]).accounts) == SMALL


def test_the_command_line_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--principals", str(SMALL), "--out", str(tmp_path), "--seed", "4", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["principals"] == SMALL == summary["users"] + summary["roles"]
    assert summary["accounts"] == default_accounts(SMALL)
    assert summary["bytes"] == sum(path.stat().st_size for path in tmp_path.iterdir())


def test_the_organization_has_two_ou_levels_and_scps_at_root_ou_and_account_level(tmp_path: Path) -> None:
    generate(tmp_path, 20 * MIN_PER_ACCOUNT, accounts=20, seed=3)
    organization = _organization(tmp_path)
    root = organization["Roots"][0]["Id"]
    units = {unit["Id"]: unit["ParentId"] for unit in organization["OrganizationalUnits"]}
    assert any(parent in units and units[parent] == root for parent in units.values())  # OU under an OU
    accounts = {account["Id"] for account in organization["Accounts"]}
    assert any(account["ParentId"] in units and units[account["ParentId"]] != root
               for account in organization["Accounts"])
    policies = {p["PolicySummary"]["Name"]: p for p in organization["Policies"]}
    full = {target["TargetId"] for target in policies["FullAWSAccess"]["Targets"]}
    assert full == {root} | set(units) | accounts
    levels = {target["Type"] for name, policy in policies.items() if name != "FullAWSAccess"
              for target in policy["Targets"]}
    assert levels == {"ROOT", "ORGANIZATIONAL_UNIT", "ACCOUNT"}
    denies = [s for p in policies.values() for s in json.loads(p["Content"])["Statement"] if s["Effect"] == "Deny"]
    assert any("aws:RequestedRegion" in s.get("Condition", {}).get("StringNotEquals", {}) for s in denies)
    assert any(s.get("Action") == "organizations:LeaveOrganization" for s in denies)


def test_accounts_hold_the_patterns_real_ones_do(tmp_path: Path) -> None:
    generate(tmp_path, 3000, seed=2)
    text = "".join(path.read_text() for path in tmp_path.glob("gaad-*.json"))
    gaads = _gaads(tmp_path)
    for needle in ('"NotAction"', '"aws:MultiFactorAuthPresent"', '"aws:SourceIp"', '"aws:RequestedRegion"',
                   '"Effect": "Deny"', '"s3:Get*"', '"sts:ExternalId"', '"aws:PrincipalOrgID"', "saml-provider/",
                   '"ec2.amazonaws.com"', '"lambda.amazonaws.com"', "${aws:PrincipalTag/team}", '"PermissionsBoundary"',
                   '"UserPolicyList"', '"RolePolicyList"', '"GroupPolicyList"', ":assumed-role/"):
        assert needle in text, needle
    for gaad in gaads.values():
        aws = {p["PolicyName"]: p for p in gaad["Policies"] if ":aws:policy/" in p["Arn"]}
        assert {"AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"} <= set(aws)
        attached = [a["PolicyArn"] for kind in ("UserDetailList", "GroupDetailList", "RoleDetailList")
                    for entity in gaad[kind] for a in entity["AttachedManagedPolicies"]]
        for policy in aws.values():  # GAAD lists an AWS managed policy with the account's attachment count
            assert policy["AttachmentCount"] == attached.count(policy["Arn"]) > 0


# -- loaded into the real test Neo4j -------------------------------------------------------------------

@pytest.fixture(scope="module")
def loaded(neo4j_driver: neo4j.Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """A 300-principal, 4-account organization, loaded by `accessgraph load` into the emptied test graph."""
    folder = tmp_path_factory.mktemp("organization")
    result = generate(folder, SMALL, accounts=SMALL_ACCOUNTS, seed=1)
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    assert cli.main(["load", "--quiet", str(folder)]) == 0
    yield result


def _folder(result: Generated) -> Path:
    return result.files[0].parent


def _member(result: Generated, kind: str) -> str:
    return next(account.id for account in result.plan.accounts if account.kind == kind)


def _neighbour_edges(arn: str) -> list[dict[str, str]]:
    edges: list[dict[str, str]] = []
    after = None
    while True:
        page = run_query(NEIGHBOURS, {"arn": arn, "after": after})["neighbours"]
        edges += page["edges"]
        after = page["endCursor"]
        if after is None:
            return edges


def test_the_graph_holds_every_generated_user_and_role(loaded: Generated) -> None:
    for account_id, gaad in _gaads(_folder(loaded)).items():
        members = {edge["from"] for edge in _neighbour_edges(account_id) if edge["kind"] == "IN_ACCOUNT"}
        generated = {entity["Arn"] for kind in ("UserDetailList", "RoleDetailList") for entity in gaad[kind]}
        assert generated <= members
        principals = [arn for arn in members if (":user/" in arn or ":role/" in arn) and "#inline/" not in arn]
        assert len(principals) == len(generated)


def test_cross_account_trusts_report_the_ci_role_with_its_external_id(loaded: Generated) -> None:
    page = run_query(TRUST_REVIEW, {"accountId": None, "outside": False, "after": None})["crossAccountTrustsPage"]
    assert page["endCursor"] is None  # one page holds them all
    findings = page["items"]
    shared, org = loaded.plan.shared.id, loaded.plan.org_id
    ci = f"arn:aws:iam::{shared}:role/ci-deployer"
    by_role: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_role.setdefault(finding["role"]["arn"], []).append(finding)
    for account in loaded.plan.accounts:
        if account.id == shared:
            continue
        [deployer] = by_role[f"arn:aws:iam::{account.id}:role/ci/deployer"]
        assert deployer["trusted"]["arn"] == ci
        assert deployer["hasExternalId"] and deployer["sameOrganization"]
        assert f"ci-{account.id}" in deployer["conditionText"]
        assert "outside-organization" not in deployer["categories"]
        [org_wide] = by_role[f"arn:aws:iam::{account.id}:role/org-reader"]
        assert org_wide["restrictsOrganization"] and "any-principal" in org_wide["categories"]
        assert org in org_wide["conditionText"]

    org_accounts = {account.id for account in loaded.plan.accounts}
    expected_unprotected = set()
    for gaad in _gaads(_folder(loaded)).values():
        for role in gaad["RoleDetailList"]:
            for statement in role["AssumeRolePolicyDocument"]["Statement"]:
                trusted = statement["Principal"].get("AWS", "")
                if isinstance(trusted, str) and trusted.endswith(":root") and "Condition" not in statement \
                        and trusted.split(":")[4] not in org_accounts:
                    expected_unprotected.add(role["Arn"])
    flagged = {f["role"]["arn"] for f in findings if "external-without-external-id" in f["categories"]}
    assert expected_unprotected <= flagged
    vendors = [f for f in findings if f["role"]["name"].endswith("-integration")]
    assert len(vendors) == len(loaded.plan.accounts)
    assert all(f["outsideOrganization"] and f["hasExternalId"] and not f["trustedAccountLoaded"] for f in vendors)


def test_who_can_assume_the_deployer_is_the_ci_role_given_the_external_id(loaded: Generated) -> None:
    member = _member(loaded, "workload")
    answers = run_query(WHO_CAN_ASSUME, {"roleArn": f"arn:aws:iam::{member}:role/ci/deployer", "maxHops": 1,
                                         "limit": 10000})["whoCanAssume"]
    ci = next(a for a in answers if a["principal"]["arn"] == f"arn:aws:iam::{loaded.plan.shared.id}:role/ci-deployer")
    assert [(c["key"], c["values"]) for c in ci["conditions"]] == [("sts:ExternalId", [f"ci-{member}"])]
    steps = [step for path in ci["paths"] for step in path["steps"]]
    assert any(step["kind"] == "has_policy" and "assume-deployers" in step["to"]["arn"] for step in steps)


def test_scps_deny_at_root_ou_and_account_level(loaded: Generated) -> None:
    production = loaded.plan.accounts[3]
    assert production.parent_id == loaded.plan.unit("Prod").id
    organization = _organization(_folder(loaded))
    arns = {p["PolicySummary"]["Name"]: p["PolicySummary"]["Arn"] for p in organization["Policies"]}
    attached = {name: {e["to"] for e in _neighbour_edges(arns[name]) if e["kind"] == "ATTACHED_TO"}
                for name in ("DenyLeaveOrganization", "ProdDataProtection", "DenyIamUserCredentials")}
    prod_unit = next(u["Arn"] for u in organization["OrganizationalUnits"] if u["Name"] == "Prod")
    assert attached == {"DenyLeaveOrganization": {organization["Roots"][0]["Arn"]},  # roots and OUs by ARN,
                        "ProdDataProtection": {prod_unit},
                        "DenyIamUserCredentials": {production.id}}  # accounts by id

    def decide(account: str, action: str, resource: str) -> dict[str, Any]:
        variables = {"p": f"arn:aws:iam::{account}:role/saml-admin", "a": action, "r": resource}
        decision: dict[str, Any] = run_query(ACCESS, variables)["access"]
        return decision

    table = "arn:aws:dynamodb:us-east-1:{}:table/orders"
    cases = [("organizations:LeaveOrganization", "*", "DenyLeave"),
             ("dynamodb:DeleteTable", table.format(production.id), "DenyDataDeletion"),
             ("iam:CreateAccessKey", f"arn:aws:iam::{production.id}:user/someone", "NoUserCredentials")]
    for action, resource, sid in cases:
        decision = decide(production.id, action, resource)
        assert decision["decision"] == "ExplicitlyDenied", (action, decision)
        assert {"policyType": "scp", "sid": sid, "effect": "Deny"} in decision["explanation"]
    security = loaded.plan.security.id  # not under Prod: the same administrator may delete its tables
    assert decide(security, "dynamodb:DeleteTable", table.format(security))["decision"] == "Allowed"
