"""The boto3 side of #16: an account's credential report and security snapshot, read live.

Every part is optional: a call AWS refuses (AccessDenied, or any other error after botocore's retries) is
reported through `warn` by its name, the part is named in the snapshot's `NotCollected` with the reason, and
the rest is loaded. A part is collected whole or not at all: a key list missing one user's keys would read
as "this user has none".
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]  # no stubs; see loaders/live.py
import botocore.exceptions  # type: ignore[import-untyped]

from loaders.live import RETRY_CONFIG, Warn, _pages, _plain, _reason

# generate_credential_report returns STARTED or INPROGRESS until AWS has written it (AWS generates at most one
# every four hours and keeps it; a new account's first one takes seconds).
REPORT_ATTEMPTS = 30
REPORT_WAIT_SECONDS = 2.0
_DEFAULT_REGION = "us-east-1"  # CloudTrail and Config are regional: the session's region, else this one


class _NotCollected(Exception):
    def __init__(self, call: str, reason: str) -> None:
        super().__init__(f"{call}: {reason}")


@dataclass(frozen=True, slots=True)
class LiveCredentialReport:
    text: str  # the CSV exactly as AWS returned it
    generated_time: str


def get_credential_report(
    session: boto3.Session, warn: Warn, sleep: Callable[[float], None] = time.sleep
) -> LiveCredentialReport | None:
    """The account's credential report (generated first when needed), or None when AWS refuses it."""
    iam = session.client("iam", config=RETRY_CONFIG)
    try:
        for _ in range(REPORT_ATTEMPTS):
            if iam.generate_credential_report()["State"] == "COMPLETE":
                break
            sleep(REPORT_WAIT_SECONDS)
        else:
            warn("iam:GenerateCredentialReport: the report was not ready in time; loading without it")
            return None
    except botocore.exceptions.ClientError as exc:
        warn(f"iam:GenerateCredentialReport: {_reason(exc)}; loading without the credential report")
        return None
    try:
        response = iam.get_credential_report()
    except botocore.exceptions.ClientError as exc:
        warn(f"iam:GetCredentialReport: {_reason(exc)}; loading without the credential report")
        return None
    content = response["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    generated = response.get("GeneratedTime")
    when = generated.isoformat() if isinstance(generated, dt.datetime) else dt.datetime.now(dt.UTC).isoformat()
    return LiveCredentialReport(text, when)


def get_security_snapshot(session: boto3.Session, account_id: str, warn: Warn) -> dict[str, Any]:
    """The account security snapshot (the format `collect --security` writes; loaders/security.py)."""
    iam = session.client("iam", config=RETRY_CONFIG)
    region = session.region_name or _DEFAULT_REGION
    snapshot: dict[str, Any] = {"AccountId": account_id}
    not_collected: dict[str, str] = {}
    users: list[str] | None = None
    try:
        users = [user["UserName"] for user in _listed("iam:ListUsers", iam, "list_users", "Users")]
    except _NotCollected as exc:
        for part in ("AccessKeys", "MfaDevices", "LoginProfiles"):
            not_collected[part] = str(exc)
    parts: list[tuple[str, Callable[[], Any]]] = [
        ("PasswordPolicy", lambda: _password_policy(iam)),
        ("AccountSummary", lambda: _call("iam:GetAccountSummary", iam.get_account_summary)["SummaryMap"]),
        ("Trails", lambda: _trails(session.client("cloudtrail", region_name=region, config=RETRY_CONFIG))),
        ("ConfigRecorders", lambda: _recorders(session.client("config", region_name=region, config=RETRY_CONFIG))),
    ]
    if users is not None:
        names = users
        parts[2:2] = [
            ("MfaDevices", lambda: _mfa_devices(iam, names)),
            ("AccessKeys", lambda: _access_keys(iam, names)),
            ("LoginProfiles", lambda: _login_profiles(iam, names)),
        ]
    for part, read in parts:
        try:
            snapshot[part] = read()
        except _NotCollected as exc:
            not_collected[part] = str(exc)
    for part, reason in sorted(not_collected.items()):
        warn(f"account {account_id}: {reason}; {part} not collected (the checks that need it cannot run)")
    if not_collected:
        snapshot["NotCollected"] = not_collected
    plain: dict[str, Any] = _plain(snapshot)
    return plain


def _call(name: str, operation: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return operation(**kwargs)
    except botocore.exceptions.ClientError as exc:
        raise _NotCollected(name, _reason(exc)) from exc


def _listed(name: str, client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    try:
        return list(_pages(client, operation, key, **kwargs))
    except botocore.exceptions.ClientError as exc:
        raise _NotCollected(name, _reason(exc)) from exc


def _password_policy(iam: Any) -> dict[str, Any] | None:
    try:
        policy: dict[str, Any] = iam.get_account_password_policy()["PasswordPolicy"]
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return None  # the account has none set
        raise _NotCollected("iam:GetAccountPasswordPolicy", _reason(exc)) from exc
    return policy


def _mfa_devices(iam: Any, users: list[str]) -> list[dict[str, Any]]:
    devices = []
    for user in users:
        for device in _listed("iam:ListMFADevices", iam, "list_mfa_devices", "MFADevices", UserName=user):
            devices.append({"UserName": user, "SerialNumber": device["SerialNumber"],
                            "EnableDate": device.get("EnableDate")})
    listed = {device["SerialNumber"] for device in devices}
    # Virtual devices assigned to an IAM user are in ListMFADevices already; the root user's is counted by
    # the account summary (AccountMFAEnabled). A device only this call shows belongs to a user listed above.
    for device in _listed(
        "iam:ListVirtualMFADevices", iam, "list_virtual_mfa_devices", "VirtualMFADevices", AssignmentStatus="Assigned"
    ):
        owner = device.get("User", {})
        name = owner.get("UserName")
        if name in users and device["SerialNumber"] not in listed:
            devices.append({"UserName": name, "SerialNumber": device["SerialNumber"],
                            "EnableDate": device.get("EnableDate")})
    return devices


def _access_keys(iam: Any, users: list[str]) -> list[dict[str, Any]]:
    keys = []
    for user in users:
        for key in _listed("iam:ListAccessKeys", iam, "list_access_keys", "AccessKeyMetadata", UserName=user):
            used = _call("iam:GetAccessKeyLastUsed", iam.get_access_key_last_used, AccessKeyId=key["AccessKeyId"])
            last = used.get("AccessKeyLastUsed", {})
            service = last.get("ServiceName")
            keys.append({
                "UserName": user, "AccessKeyId": key["AccessKeyId"], "Status": key["Status"],
                "CreateDate": key.get("CreateDate"), "LastUsedDate": last.get("LastUsedDate"),
                "LastUsedService": None if service in (None, "N/A") else service,
            })
    return keys


def _login_profiles(iam: Any, users: list[str]) -> list[dict[str, Any]]:
    profiles = []
    for user in users:
        try:
            profile = iam.get_login_profile(UserName=user)["LoginProfile"]
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
                continue  # no console password
            raise _NotCollected("iam:GetLoginProfile", _reason(exc)) from exc
        profiles.append({"UserName": user, "CreateDate": profile.get("CreateDate"),
                         "PasswordResetRequired": bool(profile.get("PasswordResetRequired", False))})
    return profiles


def _trails(cloudtrail: Any) -> list[dict[str, Any]]:
    trails = []
    described = _call("cloudtrail:DescribeTrails", cloudtrail.describe_trails, includeShadowTrails=True)
    for trail in described.get("trailList", []):
        name = trail.get("TrailARN") or trail["Name"]
        status = _call("cloudtrail:GetTrailStatus", cloudtrail.get_trail_status, Name=name)
        selectors = _call("cloudtrail:GetEventSelectors", cloudtrail.get_event_selectors, TrailName=name)
        trails.append({
            "Name": trail["Name"], "IsMultiRegionTrail": bool(trail.get("IsMultiRegionTrail", False)),
            "IsLogging": bool(status.get("IsLogging", False)), "HomeRegion": trail.get("HomeRegion"),
            "HasManagementEvents": _management_events(selectors),
        })
    return trails


def _management_events(selectors: dict[str, Any]) -> bool:
    """Whether the trail records every management event (reads and writes), as CIS 3.1 asks: a basic selector
    with IncludeManagementEvents and ReadWriteType All, or an advanced one selecting the Management category
    without narrowing it (readOnly)."""
    for selector in selectors.get("EventSelectors") or []:
        if selector.get("IncludeManagementEvents", True) and selector.get("ReadWriteType", "All") == "All":
            return True
    for advanced in selectors.get("AdvancedEventSelectors") or []:
        fields = {field.get("Field"): field for field in advanced.get("FieldSelectors", [])}
        category = fields.get("eventCategory", {})
        if "Management" in category.get("Equals", []) and "readOnly" not in fields:
            return True
    return False


def _recorders(config: Any) -> list[dict[str, Any]]:
    recorders = _call("config:DescribeConfigurationRecorders", config.describe_configuration_recorders)
    statuses = _call("config:DescribeConfigurationRecorderStatus", config.describe_configuration_recorder_status)
    recording = {status["name"]: bool(status.get("recording", False))
                 for status in statuses.get("ConfigurationRecordersStatus", [])}
    return [
        {"Name": recorder["name"], "Recording": recording.get(recorder["name"], False),
         "AllSupported": bool(recorder.get("recordingGroup", {}).get("allSupported", False))}
        for recorder in recorders.get("ConfigurationRecorders", [])
    ]

