"""The boto3 path against moto: GAAD, STS, Organizations, optional calls denied, collect -> load."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

from loaders import live
from loaders.collect import collect_gaad, collect_organization, plan_from_live
from loaders.detect import read_input
from loaders.organizations import transform_organization
from service.cli import main

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def aws_managed_policies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto with every real AWS managed policy (as GAAD returns them: without PolicyName)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        yield


def _tutorial_account() -> str:
    iam = boto3.client("iam")
    iam.create_group(GroupName="Admins")
    iam.attach_group_policy(GroupName="Admins", PolicyArn=ADMIN)
    for name in ("Jesse", "Segun"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="Admins", UserName=name)
    policy = iam.create_policy(PolicyName="ContractorPolicy", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "sns:Publish"],
                                                 "Resource": "*"}]}))["Policy"]["Arn"]
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}
    iam.create_role(RoleName="ContractorAccess", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="ContractorAccess", PolicyArn=policy)
    iam.put_role_policy(RoleName="ContractorAccess", PolicyName="inline", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sns:ListTopics", "Resource": "*"}}))
    return str(boto3.client("sts").get_caller_identity()["Account"])


def test_live_plan_reads_iam_with_real_managed_policies(aws_managed_policies: None) -> None:
    account_id = _tutorial_account()
    plan = plan_from_live(profile=None, role_arns=[], organization=False)
    (account,) = plan.accounts
    assert account.account_id == account_id
    assert {u.name for u in account.users} == {"Jesse", "Segun"}
    admin = next(p for p in account.global_policies if p.arn == ADMIN)
    assert admin.known and admin.name == "AdministratorAccess"  # moto leaves PolicyName out: from the ARN
    assert admin.document == '{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'
    assert len(account.global_policies) > 1000  # moto returns every AWS managed policy, all parsed
    (trust,) = account.trusts
    assert (trust.target_kind, trust.target, trust.condition_keys) == ("account", "222222222222", ("sts:ExternalId",))
    assert any(p.kind == "inline" for p in account.policies)


def test_role_arns_assume_into_each_account(aws_managed_policies: None) -> None:
    _tutorial_account()
    iam = boto3.client("iam")
    arn = iam.create_role(RoleName="Auditor", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    plan = plan_from_live(profile=None, role_arns=[arn], organization=False)
    assert [a.source.split(" ")[1] for a in plan.accounts] == [f"({arn})"]


def test_denied_optional_call_is_reported_and_the_load_goes_on(aws_managed_policies: None) -> None:
    _tutorial_account()
    session = boto3.Session()

    def deny(**_: Any) -> None:
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "ListAccountAliases")

    session.events.register("before-call.iam.ListAccountAliases", deny)
    warnings: list[str] = []
    assert live.get_account_alias(session, warnings.append) is None
    assert "AccessDenied" in warnings[0]


def test_missing_organization_is_a_warning_for_load(aws_managed_policies: None) -> None:
    _tutorial_account()
    plan = plan_from_live(profile=None, role_arns=[], organization=True)
    assert len(plan.accounts) == 1 and not plan.organizations
    assert any("DescribeOrganization" in w for w in plan.warnings)


def _organization() -> str:
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    unit = org.create_organizational_unit(ParentId=root, Name="WebApp")["OrganizationalUnit"]["Id"]
    account = org.create_account(Email="prod@example.com", AccountName="Production")["CreateAccountStatus"]["AccountId"]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=unit)
    scp = org.create_policy(
        Name="DenyLeave", Description="", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=unit)
    return str(account)


def test_collect_organization_writes_a_snapshot_load_reads(aws: None, tmp_path: Path) -> None:
    account = _organization()
    path = tmp_path / "org.json"
    assert main(["collect", "--organization", "-o", str(path), "-q"]) == 0
    snapshot = collect_organization(None, path)
    assert read_input(path).kind == "organization"
    org = transform_organization(json.loads(path.read_text()), str(path))
    assert {a.id: a.parent_id for a in org.accounts}[account] == org.units[0].id
    deny = next(p for p in org.policies if p.name == "DenyLeave")
    assert deny.target_ids == (org.units[0].id,)
    assert snapshot["Organization"]["Id"] == org.id


def test_collect_cli_gaad_files_load_offline(
    aws_managed_policies: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account_id = _tutorial_account()
    assert main(["collect", "--gaad", "-o", str(tmp_path), "-q"]) == 0
    path = tmp_path / f"gaad-{account_id}.json"
    (written,) = collect_gaad(None, [], tmp_path)
    assert written == path
    assert main(["load", str(tmp_path), "--dry-run", "--json", "-q"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["accounts"][0]["accountId"] == account_id and summary["accounts"][0]["users"] == 2
