"""Organizations snapshots -> rows; structure errors named by file and entity."""

from __future__ import annotations

from typing import Any

import pytest

from loaders.organizations import transform_organization
from service.errors import InputError
from tests.support.samples import organization

POLICY_ARN = "arn:aws:organizations::999999999999:policy/o-k3x9v2m7qa"


def test_example_organization() -> None:
    org = transform_organization(organization(), "org.json")
    assert org.id == "o-k3x9v2m7qa" and org.management_account_id == "999999999999"
    assert [unit.name for unit in org.units] == ["WebApp"]
    assert {a.id: a.parent_id for a in org.accounts} == {
        "999999999999": "r-7xq2", "111111111111": "ou-7xq2-5hd81kzp", "222222222222": "ou-7xq2-5hd81kzp"
    }
    full = next(p for p in org.policies if p.name == "FullAWSAccess")
    assert full.aws_managed and set(full.target_ids) == {"r-7xq2", "ou-7xq2-5hd81kzp", "999999999999",
                                                         "111111111111", "222222222222"}


def test_other_policy_types_are_skipped_and_reported() -> None:
    snapshot = organization()
    snapshot["Policies"].append({
        "PolicySummary": {"Id": "p-tag", "Arn": f"{POLICY_ARN}/tag_policy/p-tag", "Name": "Tags",
                          "Type": "TAG_POLICY", "AwsManaged": False},
        "Content": '{"tags": {}}', "Targets": [],
    })
    org = transform_organization(snapshot, "org.json")
    assert len(org.policies) == 2 and org.skipped_policy_types == ("TAG_POLICY",)


def test_ou_arn_is_derived_when_absent() -> None:
    snapshot = organization()
    del snapshot["OrganizationalUnits"][0]["Arn"]
    org = transform_organization(snapshot, "org.json")
    assert org.units[0].arn == "arn:aws:organizations::999999999999:ou/o-k3x9v2m7qa/ou-7xq2-5hd81kzp"


def test_rcps_are_kept() -> None:
    snapshot = organization()
    snapshot["Policies"].append({
        "PolicySummary": {"Id": "p-rcp1", "Arn": f"{POLICY_ARN}/resource_control_policy/p-rcp1",
                          "Name": "OnlyOrg", "Type": "RESOURCE_CONTROL_POLICY", "AwsManaged": False},
        "Content": '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", '
                   '"Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-k3x9v2m7qa"}}}]}',
        "Targets": [{"TargetId": "r-7xq2"}],
    })
    org = transform_organization(snapshot, "org.json")
    assert [p.type for p in org.policies][-1] == "RESOURCE_CONTROL_POLICY"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda s: s["Accounts"][1].update(ParentId="ou-missing"),
         "account 'WebApp Production' (111111111111): ParentId"),
        (lambda s: s["OrganizationalUnits"][0].update(ParentId="ou-7xq2-5hd81kzp"), "never reaches a root"),
        (lambda s: s["Policies"][1]["Targets"].append({"TargetId": "444444444444"}), "is attached to '444444444444'"),
        (lambda s: s["Policies"][1].update(Content='{"Statement": {"Effect": 1}}'), "policy 'DenyLeaveOrganization'"),
        (lambda s: s["Policies"][1].update(Content=None), "missing policy document"),
        (lambda s: s.update(Roots=[]), "Roots is empty"),
        (lambda s: s["Accounts"].append(dict(s["Accounts"][1])), "appears twice"),
        (lambda s: s["Organization"].pop("Id"), "Organization: missing required field Id"),
        (lambda s: s["Accounts"][0].update(Id="12"), "not a 12-digit account id"),
    ],
)
def test_bad_snapshots_name_file_and_entity(mutate: Any, expected: str) -> None:
    snapshot = organization()
    mutate(snapshot)
    with pytest.raises(InputError) as caught:
        transform_organization(snapshot, "org.json")
    assert str(caught.value).startswith("org.json: ") and expected in str(caught.value)
