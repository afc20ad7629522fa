"""#14 against the real graph: externalAccess over role trusts (the trust review's findings in the external
access shape), and whoCan/access reading the resource queries (reach_resources*) on a graph without
resources, where answers stay as they were. (Resource snapshots are loaded by #14's loaders, on another
branch; the questions over loaded resources are pinned on a FakeSource in tests/unit/reachability.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from service.cli.questions import run_query
from tests.integration.api.conftest import Load
from tests.support.gaad import Account, trust, trusts

A, OUTSIDE = "111122223333", "777788889999"
PAGE = """query($after: String, $category: String) {
  externalAccess(first: 1, after: $after, category: $category) {
    totalCount hasMore endCursor
    items { resource { arn kind } principal { arn kind } who actions categories conditionText statement }
  }
}"""
WHO_CAN = """query {
  whoCan(action: "s3:GetObject", resource: "arn:aws:s3:::reports/q1.csv", resourceAccount: "111122223333") {
    principal { arn } notes paths { steps { kind } } } }"""


def _all(category: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = run_query(PAGE, {"after": after, "category": category})["externalAccess"]
        items += page["items"]
        if (after := page["endCursor"]) is None:
            return items


def test_external_access_reads_roles_from_the_trust_review(load: Load, tmp_path: Path) -> None:
    a = Account(A)
    a.user("reader", inline=[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])
    a.role("ToVendor", trust(trusts({"AWS": f"arn:aws:iam::{OUTSIDE}:root"})))
    a.role("ToAnyone", trust(trusts({"AWS": "*"})))
    a.role("Local", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    load(a.write(tmp_path))
    found = _all()
    assert [(f["resource"]["arn"], f["who"]) for f in found] == [
        (a.arn("role", "ToAnyone"), "anyone"),
        (a.arn("role", "ToVendor"), "account"),
    ]
    assert all(f["resource"]["kind"] == "role" and f["actions"] == ["sts:AssumeRole"] for f in found)
    assert "public" in found[0]["categories"] and "outside-organization" in found[1]["categories"]
    assert [f["resource"]["arn"] for f in _all("public")] == [a.arn("role", "ToAnyone")]
    answers = run_query(WHO_CAN, {})["whoCan"]
    assert [x["principal"]["arn"] for x in answers] == [a.arn("user", "reader")]
    assert answers[0]["notes"] == [] and [s["kind"] for s in answers[0]["paths"][0]["steps"]] == ["has_policy"]
