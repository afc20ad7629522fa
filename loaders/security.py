"""The account security snapshot (`accessgraph collect --security` writes one per account): transform.

Its shape (issue #16), each part as the named AWS call returns it:

    {"AccountId": "111111111111",
     "PasswordPolicy": <GetAccountPasswordPolicy.PasswordPolicy> | null,   # null: none set (NoSuchEntity)
     "AccountSummary": <GetAccountSummary.SummaryMap>,
     "MfaDevices": [{"UserName", "SerialNumber", "EnableDate"}],
     "AccessKeys": [{"UserName", "AccessKeyId", "Status", "CreateDate", "LastUsedDate", "LastUsedService"}],
     "Trails": [{"Name", "IsMultiRegionTrail", "IsLogging", "HomeRegion", "HasManagementEvents"}],
     "ConfigRecorders": [{"Name", "Recording", "AllSupported"}],
     "LoginProfiles": [{"UserName", "CreateDate", "PasswordResetRequired"}],           # optional
     "NotCollected": {"Trails": "cloudtrail:DescribeTrails: AccessDenied: ..."}}      # optional

A part AWS refused to the collector is absent and named in `NotCollected` with the reason, so a check that
needs it is reported as not run, never as passing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from loaders.fields import Where, as_object, iam_name, kind_of, objects, optional_bool, optional_text, text, timestamp

PARTS = ("PasswordPolicy", "AccountSummary", "MfaDevices", "AccessKeys", "Trails", "ConfigRecorders")
OPTIONAL_PARTS = ("LoginProfiles",)
_ACCOUNT = re.compile(r"\d{12}\Z", re.ASCII)
_ACCESS_KEY_ID = re.compile(r"[A-Z0-9]{16,128}\Z", re.ASCII)


@dataclass(frozen=True, slots=True)
class SnapshotAccessKey:
    key: str  # the graph key: the access key id
    access_key_id: str
    user_arn: str
    user_name: str
    account_id: str
    active: bool
    created: str | None
    last_used: str | None
    last_used_service: str | None
    source: str = "snapshot"


@dataclass(frozen=True, slots=True)
class MfaDeviceRow:
    key: str  # account and serial number (a hardware serial is unique only within its account)
    serial: str
    user_arn: str
    user_name: str
    account_id: str
    enabled: str | None


@dataclass(frozen=True, slots=True)
class LoginProfileRow:
    key: str  # account and user name
    user_arn: str
    user_name: str
    account_id: str
    created: str | None
    password_reset_required: bool


@dataclass(frozen=True, slots=True)
class TrailRow:
    key: str  # account, home region and name
    name: str
    account_id: str
    multi_region: bool
    logging: bool
    home_region: str | None
    management_events: bool


@dataclass(frozen=True, slots=True)
class ConfigRecorderRow:
    key: str
    name: str
    account_id: str
    recording: bool
    all_supported: bool


@dataclass(frozen=True, slots=True)
class SecuritySnapshot:
    account_id: str
    source: str
    password_policy: str | None  # the JSON object; None: the account has none set
    summary: str  # the JSON object {name: count}
    root_mfa_enabled: bool | None
    root_access_keys_present: bool | None
    login_profiles_known: bool
    not_collected: str  # the JSON object {part: reason}
    access_keys: tuple[SnapshotAccessKey, ...]
    mfa_devices: tuple[MfaDeviceRow, ...]
    login_profiles: tuple[LoginProfileRow, ...]
    trails: tuple[TrailRow, ...]
    recorders: tuple[ConfigRecorderRow, ...]


def is_security_snapshot(value: object) -> bool:
    return isinstance(value, Mapping) and "AccountId" in value and "AccountSummary" in value


def transform_security(value: object, source: str) -> SecuritySnapshot:
    """The snapshot, validated.

    Raises:
        InputError: naming the file, the entity (`AccessKeys[2] (user Jake)`...) and the field at fault.
    """
    where = Where(source)
    snapshot = as_object(value, where, "the security snapshot")
    account_id = text(snapshot, "AccountId", where)
    if not _ACCOUNT.match(account_id):
        raise where.error(f"AccountId {account_id!r} is not a 12-digit account id")
    where = Where(source, f"account {account_id}")
    not_collected = _not_collected(snapshot, where)
    for part in PARTS:
        if part not in snapshot and part not in not_collected:
            raise where.error(f"missing required field {part} (name it in NotCollected if AWS refused it)")

    def user_arn(name: str) -> str:
        return f"arn:aws:iam::{account_id}:user/{name}"

    policy = snapshot.get("PasswordPolicy")
    if policy is not None:
        policy = as_object(policy, where, "PasswordPolicy")
    summary = _summary(snapshot.get("AccountSummary") or {}, where)
    keys = []
    for index, item in enumerate(objects(snapshot, "AccessKeys", where)):
        at = where.at(_entity("AccessKeys", index, item))
        name = iam_name(item, "UserName", at)
        key_id = text(item, "AccessKeyId", at)
        if not _ACCESS_KEY_ID.match(key_id):
            raise at.error(f"AccessKeyId {key_id!r} is not an access key id (upper-case letters and digits)")
        status = text(item, "Status", at)
        if status not in ("Active", "Inactive"):
            raise at.error(f"Status {status!r} is not Active or Inactive")
        keys.append(SnapshotAccessKey(
            key_id, key_id, user_arn(name), name, account_id, status == "Active", _time(item, "CreateDate", at),
            _time(item, "LastUsedDate", at), optional_text(item, "LastUsedService", at),
        ))
    devices = []
    for index, item in enumerate(objects(snapshot, "MfaDevices", where)):
        at = where.at(_entity("MfaDevices", index, item))
        name = iam_name(item, "UserName", at)
        serial = text(item, "SerialNumber", at)
        devices.append(MfaDeviceRow(
            f"{account_id}|{serial}", serial, user_arn(name), name, account_id, _time(item, "EnableDate", at)
        ))
    profiles = []
    for index, item in enumerate(objects(snapshot, "LoginProfiles", where)):
        at = where.at(_entity("LoginProfiles", index, item))
        name = iam_name(item, "UserName", at)
        profiles.append(LoginProfileRow(
            f"{account_id}|{name}", user_arn(name), name, account_id, _time(item, "CreateDate", at),
            bool(optional_bool(item, "PasswordResetRequired", at)),
        ))
    trails = []
    for index, item in enumerate(objects(snapshot, "Trails", where)):
        at = where.at(_entity("Trails", index, item, "Name"))
        name = text(item, "Name", at)
        region = optional_text(item, "HomeRegion", at)
        trails.append(TrailRow(
            f"{account_id}|{region or ''}|{name}", name, account_id, _flag(item, "IsMultiRegionTrail", at),
            _flag(item, "IsLogging", at), region, _flag(item, "HasManagementEvents", at),
        ))
    recorders = []
    for index, item in enumerate(objects(snapshot, "ConfigRecorders", where)):
        at = where.at(_entity("ConfigRecorders", index, item, "Name"))
        name = text(item, "Name", at)
        recorders.append(ConfigRecorderRow(
            f"{account_id}|{name}", name, account_id, _flag(item, "Recording", at), _flag(item, "AllSupported", at)
        ))
    _unique(source, account_id, "AccessKeys", [k.key for k in keys])
    _unique(source, account_id, "MfaDevices", [d.key for d in devices])
    _unique(source, account_id, "LoginProfiles", [p.key for p in profiles])
    _unique(source, account_id, "Trails", [t.key for t in trails])
    _unique(source, account_id, "ConfigRecorders", [r.key for r in recorders])
    known_summary = "AccountSummary" in snapshot
    return SecuritySnapshot(
        account_id=account_id,
        source=source,
        password_policy=None if policy is None else json.dumps(policy, sort_keys=True),
        summary=json.dumps(summary, sort_keys=True),
        root_mfa_enabled=bool(summary.get("AccountMFAEnabled")) if known_summary else None,
        root_access_keys_present=bool(summary.get("AccountAccessKeysPresent")) if known_summary else None,
        login_profiles_known="LoginProfiles" in snapshot,
        not_collected=json.dumps(not_collected, sort_keys=True),
        access_keys=tuple(keys),
        mfa_devices=tuple(devices),
        login_profiles=tuple(profiles),
        trails=tuple(trails),
        recorders=tuple(recorders),
    )


def _entity(part: str, index: int, item: Mapping[str, Any], name_key: str = "UserName") -> str:
    name = item.get(name_key)
    label = "user" if name_key == "UserName" else "name"
    return f"{part}[{index}] ({label} {name})" if isinstance(name, str) and name else f"{part}[{index}]"


def _not_collected(snapshot: Mapping[str, Any], where: Where) -> dict[str, str]:
    value = snapshot.get("NotCollected")
    if value is None:
        return {}
    found = as_object(value, where, "NotCollected")
    for part, reason in found.items():
        if part not in (*PARTS, *OPTIONAL_PARTS):
            raise where.error(f"NotCollected names {part!r}, not a part of the snapshot ({', '.join(PARTS)})")
        if not isinstance(reason, str):
            raise where.error(f"NotCollected.{part} must be the reason as a string, not {kind_of(reason)}")
        if part in snapshot:
            raise where.error(f"{part} is both given and named in NotCollected")
    return {str(part): str(reason) for part, reason in found.items()}


def _summary(value: object, where: Where) -> dict[str, int]:
    summary = as_object(value, where, "AccountSummary")
    for name, count in summary.items():
        if isinstance(count, bool) or not isinstance(count, int):
            raise where.error(f"AccountSummary.{name} must be an integer, not {kind_of(count)}")
    return {str(name): int(count) for name, count in summary.items()}


def _flag(item: Mapping[str, Any], key: str, where: Where) -> bool:
    value = optional_bool(item, key, where)
    if value is None:
        raise where.error(f"missing required field {key}")
    return value


def _time(item: Mapping[str, Any], key: str, where: Where) -> str | None:
    value = timestamp(item, key, where)
    if value is None:
        return None
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise where.error(f"{key} {value!r} is not an ISO 8601 time") from None
    return value


def _unique(source: str, account_id: str, part: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            raise Where(source, f"account {account_id} {part}[{index}]").error(f"{key.split('|')[-1]} is listed twice")
        seen.add(key)
