"""Synthetic #16 data for one generated account: its credential report (the CSV as AWS writes it) and its
account security snapshot, for the users of its GAAD. Deterministic for a seed; every departure the audit
looks for occurs at every size (console users without MFA, old and unused keys, second keys, root keys in
a few accounts, weak or missing password policies, trails not logging, recorders stopped).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Any

from loaders.credential_report import COLUMNS, HEADER

# The report's time: fixed, so the same seed writes the same bytes (and mtime, which `load` reads).
GENERATED = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
_NO_KEY = ["false", "N/A", "N/A", "N/A", "N/A"]
_SERVICES = ("s3", "ec2", "sts", "dynamodb", "lambda", "iam")
_STRONG_POLICY = {
    "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True, "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True, "AllowUsersToChangePassword": True, "ExpirePasswords": True,
    "MaxPasswordAge": 90, "PasswordReusePrevention": 24, "HardExpiry": False,
}


def _time(rng: random.Random, low_days: int, high_days: int) -> str:
    moment = GENERATED - dt.timedelta(days=rng.randint(low_days, high_days), seconds=rng.randint(0, 86_399))
    return moment.isoformat(timespec="seconds")


def account_security(gaad: dict[str, Any], account_id: str, seed: int) -> tuple[str, dict[str, Any]]:
    """(credential report text, security snapshot) for the account whose GAAD this is."""
    rng = random.Random(f"{seed}-{account_id}-security")
    arn = f"arn:aws:iam::{account_id}:"
    root_keys = rng.random() < 0.1
    root_mfa = rng.random() < 0.85
    root_row = [
        "<root_account>", arn + "root", _time(rng, 700, 2000), "not_supported",
        _time(rng, 0, 400) if rng.random() < 0.7 else "no_information", "not_supported", "not_supported",
        "true" if root_mfa else "false",
        *(["true", _time(rng, 300, 1500), _time(rng, 0, 200), "us-east-1", "s3"] if root_keys else _NO_KEY),
        *_NO_KEY, "false", "N/A", "false", "N/A",
    ]
    rows = [root_row]
    devices: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    profiles: list[dict[str, Any]] = []
    for user in gaad["UserDetailList"]:
        name, created = user["UserName"], user.get("CreateDate") or _time(rng, 400, 1500)
        console = rng.random() < 0.6
        mfa = (console and rng.random() < 0.8) or (not console and rng.random() < 0.05)
        used = rng.random()
        password_used = ("N/A" if not console else _time(rng, 0, 60) if used < 0.7
                         else _time(rng, 91, 600) if used < 0.9 else "N/A")
        row = [name, user["Arn"], created, "true" if console else "false", password_used,
               created if console else "N/A", "N/A", "true" if mfa else "false"]
        key_count = rng.choices((0, 1, 2), weights=(45, 45, 10))[0]
        for slot in (1, 2):
            if slot > key_count:
                row += _NO_KEY
                continue
            active = rng.random() < 0.85
            rotated = _time(rng, 1, 700)
            last = _time(rng, 0, 200) if rng.random() < 0.75 else "N/A"
            service = rng.choice(_SERVICES)
            row += ["true" if active else "false", rotated, last, "N/A" if last == "N/A" else "us-east-1",
                    "N/A" if last == "N/A" else service]
            key_id = "AKIA" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16))
            keys.append({"UserName": name, "AccessKeyId": key_id, "Status": "Active" if active else "Inactive",
                         "CreateDate": rotated, "LastUsedDate": None if last == "N/A" else last,
                         "LastUsedService": None if last == "N/A" else service})
        row += ["false", "N/A", "false", "N/A"]
        rows.append(row)
        if mfa:
            devices.append({"UserName": name, "SerialNumber": f"{arn}mfa/{name}", "EnableDate": created})
        if console:
            profiles.append({"UserName": name, "CreateDate": created, "PasswordResetRequired": False})
    assert all(len(row) == len(COLUMNS) for row in rows)
    report = HEADER + "\n" + "\n".join(",".join(row) for row in rows)
    policy_kind = rng.random()
    policy: dict[str, Any] | None = (
        None if policy_kind < 0.2
        else {**_STRONG_POLICY, "MinimumPasswordLength": 8, "PasswordReusePrevention": 3} if policy_kind < 0.6
        else dict(_STRONG_POLICY)
    )
    users = len(gaad["UserDetailList"])
    snapshot = {
        "AccountId": account_id,
        "PasswordPolicy": policy,
        "AccountSummary": {"Users": users, "Groups": len(gaad["GroupDetailList"]),
                           "Roles": len(gaad["RoleDetailList"]), "AccountMFAEnabled": int(root_mfa),
                           "AccountAccessKeysPresent": int(root_keys), "MFADevices": len(devices) + int(root_mfa),
                           "MFADevicesInUse": len(devices) + int(root_mfa), "AccessKeysPerUserQuota": 2},
        "MfaDevices": devices,
        "AccessKeys": keys,
        "Trails": [] if rng.random() < 0.1 else [{
            "Name": "organization-trail", "IsMultiRegionTrail": rng.random() < 0.9,
            "IsLogging": rng.random() < 0.9, "HomeRegion": "us-east-1", "HasManagementEvents": True,
        }],
        "ConfigRecorders": [] if rng.random() < 0.15 else [{
            "Name": "default", "Recording": rng.random() < 0.85, "AllSupported": True,
        }],
        "LoginProfiles": profiles,
    }
    return report, snapshot


def write_account_security(out: Path, gaad: dict[str, Any], account_id: str, seed: int) -> list[Path]:
    """`credential-report-<account>.csv` (mtime: GENERATED) and `security-<account>.json` in `out`."""
    report, snapshot = account_security(gaad, account_id, seed)
    report_path = out / f"credential-report-{account_id}.csv"
    snapshot_path = out / f"security-{account_id}.json"
    for path, text in ((report_path, report), (snapshot_path, json.dumps(snapshot, indent=1) + "\n")):
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8", newline="")
        partial.replace(path)
    stamp = GENERATED.timestamp()
    os.utime(report_path, (stamp, stamp))
    return [report_path, snapshot_path]
