"""Audit inputs built from data shaped exactly as AWS returns it: the credential report CSV (its header, the
`<root_account>` row, `N/A`, `no_information` and `not_supported`) and the security snapshot #16 names
(GetAccountPasswordPolicy.PasswordPolicy, GetAccountSummary.SummaryMap, trails, recorders).

The records are what `account_security_records` makes of the loaded facts (service/database/records.py):
a value the report leaves out (`N/A`, `no_information`, `not_supported`) is None, never a date or a flag.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from service.database.records import (
    AccessKeyRecord,
    AccountSecurityRecord,
    ConfigRecorderRecord,
    TrailRecord,
    UserCredentialRecord,
)

HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)
NA = "N/A"
ABSENT = (NA, "no_information", "not_supported")


def root_row(
    account: str,
    *,
    password_last_used: str = "no_information",  # noqa: S107 (the report's value, not a secret)
    mfa: bool = True,
    key_1: tuple[bool, str, str] | None = None,
) -> str:
    """The report's root row (password_enabled `not_supported`, as AWS writes it)."""
    active, rotated, used = key_1 or (False, "N/A", "N/A")
    return (
        f"<root_account>,arn:aws:iam::{account}:root,2019-03-01T09:00:00+00:00,not_supported,"
        f"{password_last_used},not_supported,not_supported,{str(mfa).lower()},{str(active).lower()},{rotated},"
        f"{used},{'us-east-1' if used != 'N/A' else 'N/A'},{'iam' if used != 'N/A' else 'N/A'},"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )


def user_row(
    account: str,
    name: str,
    *,
    created: str = "2020-01-01T00:00:00+00:00",
    password: bool = False,
    password_last_used: str = NA,
    password_last_changed: str = NA,
    mfa: bool = False,
    keys: Sequence[tuple[bool, str, str]] = (),
) -> str:
    """One IAM user's row; `keys` are (active, last_rotated, last_used_date) for slots 1 and 2."""
    cells = [
        name,
        f"arn:aws:iam::{account}:user/{name}",
        created,
        str(password).lower(),
        password_last_used if password else "N/A",
        password_last_changed if password else "N/A",
        "N/A",
        str(mfa).lower(),
    ]
    for slot in (0, 1):
        if slot < len(keys):
            active, rotated, used = keys[slot]
            region, service = ("us-east-1", "s3") if used != "N/A" else ("N/A", "N/A")
            cells += [str(active).lower(), rotated, used, region, service]
        else:
            cells += ["false", "N/A", "N/A", "N/A", "N/A"]
    cells += ["false", "N/A", "false", "N/A"]
    return ",".join(cells)


def report(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


def _value(cell: str) -> str | None:
    return None if cell in ABSENT else cell


def _flag(cell: str) -> bool | None:
    return {"true": True, "false": False}.get(cell)


def report_users(text: str) -> tuple[UserCredentialRecord, ...]:
    users = []
    for row in csv.DictReader(io.StringIO(text)):
        keys = tuple(
            AccessKeyRecord(
                None,
                slot,
                bool(_flag(row[f"access_key_{slot}_active"])),
                _value(row[f"access_key_{slot}_last_rotated"]),
                _value(row[f"access_key_{slot}_last_used_date"]),
                _value(row[f"access_key_{slot}_last_used_service"]),
            )
            for slot in (1, 2)
            if row[f"access_key_{slot}_last_rotated"] != "N/A"
        )
        users.append(
            UserCredentialRecord(
                arn=row["arn"],
                name=row["user"],
                is_root=row["user"] == "<root_account>",
                created=_value(row["user_creation_time"]),
                password_enabled=_flag(row["password_enabled"]),
                password_last_used=_value(row["password_last_used"]),
                password_used_known=row["password_last_used"] != "no_information",
                password_last_changed=_value(row["password_last_changed"]),
                mfa_active=_flag(row["mfa_active"]),
                mfa_devices=(),
                access_keys=keys,
            )
        )
    return tuple(users)


STRONG_POLICY: dict[str, Any] = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "ExpirePasswords": False,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}
GOOD_TRAIL = {"Name": "org-trail", "IsMultiRegionTrail": True, "IsLogging": True, "HomeRegion": "us-east-1",
              "HasManagementEvents": True}
GOOD_RECORDER = {"Name": "default", "Recording": True, "AllSupported": True}


def snapshot(
    account: str,
    *,
    password_policy: Mapping[str, Any] | None = STRONG_POLICY,
    root_mfa: int = 1,
    root_keys: int = 0,
    trails: Sequence[Mapping[str, Any]] = (GOOD_TRAIL,),
    recorders: Sequence[Mapping[str, Any]] = (GOOD_RECORDER,),
) -> dict[str, Any]:
    """An account security snapshot in the issue's shape."""
    return {
        "AccountId": account,
        "PasswordPolicy": password_policy,
        "AccountSummary": {"Users": 3, "Groups": 2, "AccountMFAEnabled": root_mfa,
                           "AccountAccessKeysPresent": root_keys, "MFADevicesInUse": 2},
        "MfaDevices": [],
        "AccessKeys": [],
        "Trails": list(trails),
        "ConfigRecorders": list(recorders),
    }


def security(
    account: str,
    *,
    csv_text: str | None = None,
    snap: Mapping[str, Any] | None = None,
    report_time: str = "2026-12-01T08:00:00+00:00",
) -> AccountSecurityRecord:
    """The record for what was loaded: the report (`csv_text`), the snapshot (`snap`), or both."""
    return AccountSecurityRecord(
        account_id=account,
        report_time=report_time if csv_text is not None else None,
        snapshot_loaded=snap is not None,
        password_policy=snap["PasswordPolicy"] if snap is not None else None,
        summary=dict(snap["AccountSummary"]) if snap is not None else {},
        users=report_users(csv_text) if csv_text is not None else (),
        trails=tuple(
            TrailRecord(t["Name"], t["IsMultiRegionTrail"], t["IsLogging"], t["HomeRegion"], t["HasManagementEvents"])
            for t in (snap or {}).get("Trails", ())
        ),
        recorders=tuple(
            ConfigRecorderRecord(r["Name"], r["Recording"], r["AllSupported"])
            for r in (snap or {}).get("ConfigRecorders", ())
        ),
    )
