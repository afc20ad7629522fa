"""The cross-account trust review against the real graph: crossAccountTrusts (whole, capped, paged) and
`accessgraph trust-review` as a CI gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.cli.questions import run_query
from service.errors import QueryError
from tests.integration.api.conftest import Load
from tests.support.gaad import Account, organization, trust, trusts

A, B, OUTSIDE = "111122223333", "444455556666", "777788889999"
FIELDS = "role { arn } trusted { arn kind } trustedAccountLoaded sameOrganization categories hasExternalId"
WHOLE = f"query($limit: Int) {{ crossAccountTrusts(limit: $limit) {{ {FIELDS} }} }}"
PAGE = f"""query($after: String) {{ crossAccountTrustsPage(first: 2, after: $after) {{
  totalCount hasMore endCursor items {{ {FIELDS} }} }} }}"""


@pytest.fixture
def org_with_trusts(load: Load, tmp_path: Path) -> Account:
    a, b = Account(A), Account(B)
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    a.role("ToSister", trust(trusts({"AWS": f"arn:aws:iam::{B}:root"})))
    a.role("ToVendor", trust(trusts({"AWS": f"arn:aws:iam::{OUTSIDE}:root"})))
    a.role(
        "ToVendorWithId",
        trust(trusts({"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, Condition={"StringEquals": {"sts:ExternalId": "x1"}})),
    )
    a.role("ToAnyoneInOrg", trust(trusts({"AWS": "*"}, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-x"}})))
    a.role("Local", trust(trusts({"AWS": f"arn:aws:iam::{A}:root"})))
    a.role("ForLambda", trust(trusts({"Service": "lambda.amazonaws.com"})))
    b.user("someone")
    levels = {"r-root": [full], "ou-team": [full], A: [full], B: [full]}
    load(
        a.write(tmp_path),
        b.write(tmp_path),
        organization(tmp_path, accounts={A: "ou-team", B: "ou-team"}, levels=levels),
    )
    return a


def test_findings_name_who_is_trusted_and_how(org_with_trusts: Account) -> None:
    a = org_with_trusts
    found = {f["role"]["arn"]: f for f in run_query(WHOLE, {"limit": None})["crossAccountTrusts"]}
    assert set(found) == {a.arn("role", n) for n in ("ToSister", "ToVendor", "ToVendorWithId", "ToAnyoneInOrg")}
    sister = found[a.arn("role", "ToSister")]
    assert sister["sameOrganization"] is True and sister["trustedAccountLoaded"] is True
    assert "outside-organization" not in sister["categories"]
    vendor = found[a.arn("role", "ToVendor")]
    assert vendor["sameOrganization"] is False and vendor["trustedAccountLoaded"] is False
    assert {"outside-organization", "unloaded-account", "external-without-external-id"} <= set(vendor["categories"])
    with_id = found[a.arn("role", "ToVendorWithId")]
    assert with_id["hasExternalId"] and "external-without-external-id" not in with_id["categories"]
    anyone = found[a.arn("role", "ToAnyoneInOrg")]
    assert "any-principal" in anyone["categories"] and "external-without-external-id" not in anyone["categories"]


def test_large_answers_are_capped_loudly_and_paged_completely(org_with_trusts: Account) -> None:
    whole = run_query(WHOLE, {"limit": None})["crossAccountTrusts"]
    with pytest.raises(QueryError, match=r"more than limit 3.*crossAccountTrustsPage"):
        run_query(WHOLE, {"limit": 3})
    paged: list[dict[str, Any]] = []
    after = None
    while True:
        page = run_query(PAGE, {"after": after})["crossAccountTrustsPage"]
        assert page["totalCount"] == len(whole)
        paged += page["items"]
        if (after := page["endCursor"]) is None:
            assert not page["hasMore"]
            break
    assert paged == whole


def test_trust_review_is_a_ci_gate(org_with_trusts: Account, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trust-review", "--format", "json", "--fail-on", "external-without-external-id"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert {f["role"]["arn"].rsplit("/", 1)[-1] for f in findings} >= {"ToVendor", "ToVendorWithId"}
    assert main(["trust-review", "--format", "json", "--fail-on", "any-principal", "--account", B]) == 0
    assert main(["trust-review", "--fail-on", "no-such-category"]) == 2
