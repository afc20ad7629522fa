"""#16's live path against moto: every call the issue names, AccessDenied reported by name with the rest
loaded, and `collect --security` then `load` giving the graph `load --live --security` gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import neo4j
import pytest

from loaders import live
from loaders.collect import plan_from_live
from loaders.live_security import get_credential_report
from loaders.pipeline import plan_from_paths, write_plan
from service.cli import main
from service.database import apply_schema
from tests.conftest import empty_database
from tests.support.graph_state import graph_state

ACCOUNT = "123456789012"  # moto's


def tutorial_account() -> None:
    """Jesse with a console password and a virtual MFA device, Alice with an access key and neither; a
    multi-region trail logging management events; a Config recorder, recording."""
    iam = boto3.client("iam")
    for name in ("Jesse", "Alice"):
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="Jesse", Password="Correct-Horse-Battery-9")
    iam.create_access_key(UserName="Alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="Jesse")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="Jesse", SerialNumber=device, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    iam.update_account_password_policy(MinimumPasswordLength=14, PasswordReusePrevention=24)
    boto3.client("s3").create_bucket(Bucket="trail-logs")
    cloudtrail = boto3.client("cloudtrail")
    cloudtrail.create_trail(Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True)
    cloudtrail.put_event_selectors(TrailName="main", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}
    ])
    cloudtrail.start_logging(Name="main")
    config = boto3.client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config", "recordingGroup": {"allSupported": True}
    })
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "trail-logs"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def denying(monkeypatch: pytest.MonkeyPatch, *operations: str) -> None:
    """Every session `load`/`collect` make refuses these calls (`service.Operation`) with AccessDenied."""
    made = live.make_session

    def session(profile: str | None = None, region: str | None = None) -> boto3.Session:
        result = made(profile, region)
        for operation in operations:
            service, name = operation.split(".")

            def deny(_name: str = name, **_: Any) -> None:
                raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, _name)

            result.events.register(f"before-call.{service}.{name}", deny)
        return result

    monkeypatch.setattr(live, "make_session", session)


def test_every_part_read_live(aws: None) -> None:
    tutorial_account()
    plan = plan_from_live(profile=None, role_arns=[], organization=False, security=True)
    (report,) = plan.reports
    (snapshot,) = plan.snapshots
    assert report.account_id == ACCOUNT == snapshot.account_id
    users = {user.name: user for user in report.users}
    assert (users["Jesse"].mfa_active, users["Jesse"].password_enabled) == (True, True)
    assert (users["Alice"].mfa_active, users["Alice"].access_key_count) == (False, 1)
    assert [(k.user_name, k.active, k.last_used) for k in snapshot.access_keys] == [("Alice", True, None)]
    assert [(d.user_name, d.serial) for d in snapshot.mfa_devices] == [("Jesse", f"arn:aws:iam::{ACCOUNT}:mfa/Jesse")]
    assert [p.user_name for p in snapshot.login_profiles] == ["Jesse"]
    policy = json.loads(snapshot.password_policy or "{}")
    assert (policy["MinimumPasswordLength"], policy["PasswordReusePrevention"]) == (14, 24)
    assert [(t.name, t.multi_region, t.logging, t.management_events) for t in snapshot.trails] == [
        ("main", True, True, True)
    ]
    assert [(r.name, r.recording, r.all_supported) for r in snapshot.recorders] == [("default", True, True)]
    assert json.loads(snapshot.not_collected) == {} and not plan.warnings


def test_no_password_policy_is_none_set(aws: None) -> None:
    boto3.client("iam").create_user(UserName="Jesse")
    (snapshot,) = plan_from_live(profile=None, role_arns=[], organization=False, security=True).snapshots
    assert snapshot.password_policy is None and json.loads(snapshot.not_collected) == {}


def test_the_report_is_generated_until_ready(aws: None) -> None:
    boto3.client("iam").create_user(UserName="Jesse")
    iam = boto3.client("iam")
    states = iter(["STARTED", "INPROGRESS", "COMPLETE"])

    class Generating:
        """moto's IAM, except that the report takes three calls to be ready, as AWS's may."""

        def generate_credential_report(self) -> dict[str, Any]:
            state = next(states)
            if state == "COMPLETE":
                iam.generate_credential_report()
            return {"State": state}

        def get_credential_report(self) -> dict[str, Any]:
            return dict(iam.get_credential_report())

    class Session:
        def client(self, *_: Any, **__: Any) -> Generating:
            return Generating()

    waits: list[float] = []
    report = get_credential_report(Session(), pytest.fail, sleep=waits.append)
    assert report is not None and "Jesse" in report.text and len(waits) == 2


def test_access_denied_is_reported_by_name_and_the_rest_loaded(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    tutorial_account()
    denying(monkeypatch, "iam.GetCredentialReport", "cloudtrail.DescribeTrails", "iam.GetAccessKeyLastUsed",
            "config.DescribeConfigurationRecorderStatus")
    plan = plan_from_live(profile=None, role_arns=[], organization=False, security=True)
    assert plan.reports == ()
    (snapshot,) = plan.snapshots
    not_collected = json.loads(snapshot.not_collected)
    assert sorted(not_collected) == ["AccessKeys", "ConfigRecorders", "Trails"]
    assert not_collected["Trails"].startswith("cloudtrail:DescribeTrails: AccessDenied")
    assert not_collected["AccessKeys"].startswith("iam:GetAccessKeyLastUsed: AccessDenied")
    assert snapshot.access_keys == () and snapshot.trails == () and snapshot.recorders == ()
    assert [d.user_name for d in snapshot.mfa_devices] == ["Jesse"]  # the rest is loaded
    assert any(w.startswith("iam:GetCredentialReport: AccessDenied") for w in plan.warnings)
    assert any("cloudtrail:DescribeTrails: AccessDenied" in w and "Trails not collected" in w for w in plan.warnings)


def test_collect_security_then_load_gives_the_live_graph(aws: None, graph: neo4j.Driver, tmp_path: Path) -> None:
    tutorial_account()
    assert main(["collect", "--security", "-o", str(tmp_path), "-q"]) == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"credential-report-{ACCOUNT}.csv", f"security-{ACCOUNT}.json"
    ]
    assert main(["collect", "--gaad", "-o", str(tmp_path), "-q"]) == 0
    write_plan(graph, plan_from_live(profile=None, role_arns=[], organization=False, security=True))
    live_graph = graph_state(graph)
    empty_database(graph)
    apply_schema(graph)
    write_plan(graph, plan_from_paths([tmp_path]))
    assert graph_state(graph) == live_graph
    assert any("CredentialReportUser" in node for node in live_graph[0])
