"""GAAD -> AccountSnapshot: shapes AWS produces, and every kind of bad input named by file and entity."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from loaders.gaad import merge_pages, merged_output, transform_gaad
from loaders.rows import AccountSnapshot
from service.errors import InputError
from tests.support.samples import ACCOUNT_A, allow, gaad, gaad_a, group, managed, role, user


def snapshot(*values: Any, source: str = "in.json", **kwargs: Any) -> AccountSnapshot:
    return transform_gaad(merge_pages(list(values), source), **kwargs)


def error_of(*values: Any, **kwargs: Any) -> str:
    with pytest.raises(InputError) as caught:
        snapshot(*values, **kwargs)
    return str(caught.value)


def test_tutorial_account_transforms_with_everything_known() -> None:
    account = snapshot(gaad_a())
    assert account.account_id == ACCOUNT_A
    assert [u.name for u in account.users] == ["Jesse", "Segun", "Alice", "Jake", "Jessica"]
    assert {g.name for g in account.groups} == {"Admins", "Developers", "Audit"}
    assert [r.name for r in account.roles] == ["ContractorAccess"]
    assert all(p.known for p in (*account.policies, *account.global_policies))
    admins = f"arn:aws:iam::{ACCOUNT_A}:group/Admins"
    members = {link.source.rsplit("/", 1)[1] for link in account.memberships if link.target == admins}
    assert members == {"Jesse", "Segun"}
    admin_access = next(p for p in account.global_policies if p.name == "AdministratorAccess")
    assert admin_access.kind == "aws" and admin_access.account_id is None
    assert json.loads(admin_access.document or "") == {
        "Statement": [{"Action": "*", "Effect": "Allow", "Resource": "*"}], "Version": "2012-10-17"
    }


def test_default_version_is_the_one_in_force() -> None:
    developers = next(p for p in snapshot(gaad_a()).policies if p.name == "DevelopersPolicy")
    assert developers.version_id == "v2"
    assert "codecommit:GitPush" in (developers.document or "")


def test_role_keeps_its_trust_document_and_facts() -> None:
    contractor = snapshot(gaad_a()).roles[0]
    assert json.loads(contractor.trust_policy)["Statement"][0]["Condition"] == {
        "StringEquals": {"sts:ExternalId": "webapp-contractor-4821"}
    }
    assert contractor.last_used == "2025-06-18T14:27:09+00:00"
    assert contractor.is_service_linked is False


def test_pages_as_a_list_or_back_to_back_are_merged() -> None:
    whole = gaad_a()
    first = {"UserDetailList": whole["UserDetailList"], "IsTruncated": True, "Marker": "abc"}
    second = {key: whole[key] for key in ("GroupDetailList", "RoleDetailList", "Policies")}
    as_list = snapshot([first, second])
    back_to_back = snapshot(first, second)
    assert as_list == back_to_back == snapshot(whole)


def test_merged_output_is_what_the_cli_writes() -> None:
    whole = gaad_a()
    rest = {key: whole[key] for key in ("GroupDetailList", "RoleDetailList", "Policies")}
    pages = [{"UserDetailList": whole["UserDetailList"]}, rest]
    assert snapshot(merged_output(pages)) == snapshot(whole)


def test_raw_api_form_url_encoded_documents() -> None:
    raw = gaad_a()
    for policy in raw["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = urllib.parse.quote(json.dumps(version["Document"]))
    raw["RoleDetailList"][0]["AssumeRolePolicyDocument"] = urllib.parse.quote(
        json.dumps(raw["RoleDetailList"][0]["AssumeRolePolicyDocument"])
    )
    assert snapshot(raw) == snapshot(gaad_a())


def test_single_statement_object_and_scalar_values() -> None:
    document = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    account = snapshot(gaad(users=[user("solo", UserPolicyList={"PolicyName": "one", "PolicyDocument": document})]))
    inline = account.policies[0]
    assert inline.arn == f"arn:aws:iam::{ACCOUNT_A}:user/solo#inline/one"
    assert inline.kind == "inline" and inline.owner_arn == account.users[0].arn


def test_missing_policy_name_is_read_from_the_arn() -> None:
    policy = managed("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", allow("logs:*"))
    del policy["PolicyName"]
    account = snapshot(gaad(users=[user("u")], policies=[policy]))
    assert account.global_policies[0].name == "AWSLambdaBasicExecutionRole"


def test_referenced_but_absent_policies_become_unknown() -> None:
    boundary = f"arn:aws:iam::{ACCOUNT_A}:policy/OnlyABoundary"
    attached = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    account = snapshot(gaad(users=[user(
        "u", AttachedManagedPolicies=[{"PolicyName": "ReadOnlyAccess", "PolicyArn": attached}],
        PermissionsBoundary={"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary},
    )]))
    owned = {p.arn: p for p in account.policies}
    assert not owned[boundary].known and owned[boundary].kind == "customer" and owned[boundary].document is None
    assert [(p.arn, p.known, p.kind) for p in account.global_policies] == [(attached, False, "aws")]
    assert account.boundaries[0].target == boundary


def test_account_id_is_required_when_no_arn_gives_it() -> None:
    assert "no account id" in error_of(gaad())
    assert snapshot(gaad(), account_id="123456789012").account_id == "123456789012"


def test_two_accounts_in_one_file_are_refused() -> None:
    message = error_of(gaad(users=[user("a"), user("b", account="333333333333")]))
    assert "in.json" in message and "user 'b'" in message and "333333333333" in message


def test_live_account_id_must_agree_with_the_arns() -> None:
    assert "belongs to account 111111111111" in error_of(gaad(users=[user("a")]), account_id="999999999999")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["UserDetailList"][0].pop("Arn"), "user 'Jesse': missing required field Arn"),
        (lambda d: d["UserDetailList"][0].update(GroupList=["Ghosts"]), "user 'Jesse': is a member of group 'Ghosts'"),
        (lambda d: d["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0].update(Effect="Maybe"),
         "role 'ContractorAccess' trust policy"),
        (lambda d: d["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0].pop("Principal"),
         "must name a Principal"),
        (lambda d: d["Policies"][1]["PolicyVersionList"][0].update(Document="{not json"),
         "policy 'DevelopersPolicy'"),
        (lambda d: d["Policies"][1]["PolicyVersionList"][1].update(IsDefaultVersion=True),
         "more than one default version"),
        (lambda d: d["GroupDetailList"][0].update(AttachedManagedPolicies=[{"PolicyArn": "nope"}]),
         "group 'Admins': 'nope' is not a managed policy ARN"),
        (lambda d: d["UserDetailList"].append(dict(d["UserDetailList"][0], Path="/other/")),
         "appears twice with different details"),
        (lambda d: d.update(UserDetailList="Jesse"), "UserDetailList[0] must be an object"),
    ],
)
def test_bad_input_names_file_and_entity(mutate: Any, expected: str) -> None:
    document = gaad_a()
    mutate(document)
    message = error_of(document, source="examples/a.json")
    assert message.startswith("examples/a.json: ")
    assert expected in message


def test_exact_duplicates_from_overlapping_pages_are_dropped() -> None:
    whole = gaad_a()
    assert snapshot(whole, {"UserDetailList": whole["UserDetailList"][:2]}) == snapshot(whole)


def test_service_linked_roles_and_tags() -> None:
    linked = role("AWSServiceRoleForSupport", {"Service": "support.amazonaws.com"},
                  path="/aws-service-role/support.amazonaws.com/",
                  Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    account = snapshot(gaad(roles=[linked]))
    assert account.roles[0].is_service_linked
    assert account.roles[0].tags == '{"a": "1", "b": "2"}'


def test_group_inline_policy_hangs_off_the_group() -> None:
    doc = allow(["ec2:Describe*", "ec2:Get?nstance"])
    account = snapshot(gaad(groups=[group("g", GroupPolicyList=[{"PolicyName": "p", "PolicyDocument": doc}])]))
    assert [(link.source, link.target) for link in account.group_policies] == [
        (f"arn:aws:iam::{ACCOUNT_A}:group/g", f"arn:aws:iam::{ACCOUNT_A}:group/g#inline/p")
    ]
