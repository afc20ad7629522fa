from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
import pytest

from service.cli import main
from tests.support.gaad import Account, allow, trust, trusts

A, B = "111111111111", "222222222222"


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    capsys.readouterr()
    assert main([*argv, "--format", "json"]) == code
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def load(graph: neo4j.Driver, tmp_path: Path) -> Callable[[Account], str]:
    """Load one account's GAAD with `accessgraph load`; its history load id."""
    count = [0]

    def _load(account: Account) -> str:
        count[0] += 1
        folder = tmp_path / f"load-{count[0]}"
        folder.mkdir()
        assert main(["load", "--quiet", str(account.write(folder))]) == 0
        return str(
            graph.execute_query(
                "MATCH (l:HistoryLoad {unitId: $id}) RETURN l.id AS id ORDER BY l.time DESC LIMIT 1", id=account.id
            ).records[0]["id"]
        )

    return _load


def account_a() -> Account:
    """Admins may assume any role; AdminRole and OldRole trust the account, ChainRole trusts AdminRole,
    DeployRole trusts alice by ARN. carol holds ReadOnly (v1)."""
    a = Account(A)
    admins_policy = a.policy("AssumeAnything", allow("sts:AssumeRole"))
    a.policy("ReadOnly", allow("s3:GetObject", "arn:aws:s3:::reports/*"))
    admins = a.group("Admins", managed=[admins_policy])
    a.user("alice", groups=["Admins"])
    a.user("bob")
    a.user("carol", managed=[a.arn("policy", "ReadOnly")])
    a.role("AdminRole", trust(trusts({"AWS": A})), inline=[allow("sts:AssumeRole")])
    a.role("OldRole", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    a.role("ChainRole", trust(trusts({"AWS": a.arn("role", "AdminRole")})))
    a.role("DeployRole", trust(trusts({"AWS": a.arn("user", "alice")})))
    assert admins
    return a


def changed_a(before: Account) -> Account:
    """The four changes of the issue: a trust statement gains a principal, a user joins Admins, a policy
    version changes, a role is deleted."""
    a = copy.deepcopy(before)
    deploy = next(r for r in a.roles if r["RoleName"] == "DeployRole")
    deploy["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] = [
        a.arn("user", "alice"), a.arn("user", "carol")
    ]
    next(u for u in a.users if u["UserName"] == "bob")["GroupList"] = ["Admins"]
    read_only = next(p for p in a.policies if p["PolicyName"] == "ReadOnly")
    read_only["DefaultVersionId"] = "v2"
    read_only["PolicyVersionList"] = [{
        "Document": {"Version": "2012-10-17", "Statement": [
            allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])]},
        "VersionId": "v2", "IsDefaultVersion": True, "CreateDate": "2025-02-01T00:00:00+00:00",
    }]
    a.roles = [r for r in a.roles if r["RoleName"] != "OldRole"]
    return a


def account_b(*, with_temp: bool = True) -> Account:
    """A role trusting account A (its admins reach it), and a user that goes away."""
    b = Account(B)
    b.role("AuditRole", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    b.user("dave")
    if with_temp:
        b.user("temp")
    return b


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
