"""Credential reports built in code, shaped exactly as AWS writes them (the column order of
loaders.credential_report.COLUMNS, `N/A` where a user has no such credential)."""

from __future__ import annotations

from pathlib import Path

from loaders.credential_report import COLUMNS, HEADER
from tests.support.samples import ACCOUNT_A

_NO_KEY = {"active": "false", "last_rotated": "N/A", "last_used_date": "N/A", "last_used_region": "N/A",
           "last_used_service": "N/A"}


def report_row(user: str, account: str = ACCOUNT_A, **fields: str) -> dict[str, str]:
    """One row: a user with a console password used once, no MFA, no keys; the root user as AWS shows it."""
    root = user == "<root_account>"
    row = {
        "user": user,
        "arn": f"arn:aws:iam::{account}:{'root' if root else 'user/' + user}",
        "user_creation_time": "2025-03-04T10:12:41+00:00",
        "password_enabled": "not_supported" if root else "true",
        "password_last_used": "2025-06-01T08:00:00+00:00",
        "password_last_changed": "not_supported" if root else "2025-03-04T10:12:41+00:00",
        "password_next_rotation": "not_supported" if root else "N/A",
        "mfa_active": "false",
        **{f"access_key_{slot}_{name}": value for slot in (1, 2) for name, value in _NO_KEY.items()},
        "cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false", "cert_2_last_rotated": "N/A",
    }
    unknown = set(fields) - set(COLUMNS)
    assert not unknown, f"not report columns: {unknown}"
    row.update(fields)
    return row


def key(slot: int, rotated: str, used: str = "N/A", service: str = "N/A", active: str = "true") -> dict[str, str]:
    """The columns of access key `slot` (1 or 2)."""
    region = "N/A" if used == "N/A" else "us-east-1"
    values = {"active": active, "last_rotated": rotated, "last_used_date": used, "last_used_region": region,
              "last_used_service": service}
    return {f"access_key_{slot}_{name}": value for name, value in values.items()}


def report_text(rows: list[dict[str, str]]) -> str:
    return HEADER + "\n" + "\n".join(",".join(row[column] for column in COLUMNS) for row in rows)


def report_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text(report_text(rows), encoding="utf-8")
    return path
