"""The IAM credential report (`iam:GetCredentialReport`), the CSV exactly as AWS writes it: transform.

AWS documents the columns and their special values in "Getting credential reports for your AWS account"
(IAM User Guide): `N/A` (the user has no such credential, or it was never used), `no_information` (a
password not used since IAM began tracking it, October 2014), `not_supported` (the root user's password
columns; moto writes it in more places, and any column may carry it: the report does not say). The root
user's row is named `<root_account>`; its ARN is the account's `...:root`. The report
names no account: it comes from the ARNs, and every row must agree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from service.errors import InputError

ROOT = "<root_account>"
# The columns the report has carried since 2014; AWS may add more at the end, which are ignored.
COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)
HEADER = ",".join(COLUMNS)
NOT_APPLICABLE = "N/A"
NO_INFORMATION = "no_information"
NOT_SUPPORTED = "not_supported"
_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):(root|user/(?:[\x21-\x7e]*/)?([\w+=,.@-]+))\Z", re.ASCII)


@dataclass(frozen=True, slots=True)
class ReportAccessKey:
    """An access key slot (1 or 2) the user has or had: `created` is the report's `last_rotated`."""

    key: str  # the graph key: user ARN and slot
    user_arn: str
    user_name: str
    account_id: str
    slot: int
    active: bool
    created: str
    last_used: str | None
    last_used_region: str | None
    last_used_service: str | None
    source: str = "report"


@dataclass(frozen=True, slots=True)
class ReportUser:
    """One row. A None flag means the report does not say (`not_supported`); `password_used_known` is False
    for `no_information` and `not_supported`."""

    arn: str
    name: str
    account_id: str
    is_root: bool
    created: str | None
    password_enabled: bool | None
    password_last_used: str | None
    password_used_known: bool
    password_last_changed: str | None
    mfa_active: bool
    access_key_count: int
    active_access_key_count: int


@dataclass(frozen=True, slots=True)
class CredentialReport:
    account_id: str
    source: str
    generated_time: str  # when AWS generated it (live), or the file's modification time
    users: tuple[ReportUser, ...]
    access_keys: tuple[ReportAccessKey, ...]


def is_credential_report(text: str) -> bool:
    """Recognised by its header line: the columns AWS writes, in AWS's order."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return first.startswith(HEADER)


def transform_credential_report(text: str, source: str, generated_time: str) -> CredentialReport:
    """Every row, validated.

    Raises:
        InputError: naming the file, the line (and user) and the field at fault.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(f"{source}: line 1: not CSV: {exc}") from None
    if header is None or tuple(header[: len(COLUMNS)]) != COLUMNS:
        raise InputError(f"{source}: line 1: not a credential report header (expected {HEADER[:60]}...)")
    users: list[ReportUser] = []
    keys: list[ReportAccessKey] = []
    account_id: str | None = None
    seen: dict[str, int] = {}
    while True:
        try:
            values = next(reader, None)
        except csv.Error as exc:
            raise InputError(f"{source}: line {reader.line_num}: not CSV: {exc}") from None
        if values is None:
            break
        line = reader.line_num
        if not any(values):
            continue  # a blank line (a trailing newline written twice)
        row = _Row(source, line, header, values)
        user = row.read_user()
        if account_id is None:
            account_id = user.account_id
        elif user.account_id != account_id:
            raise row.error("arn", f"account {user.account_id} differs from {account_id} of the rows above")
        if user.arn in seen:
            raise row.error("arn", f"{user.arn} is also on line {seen[user.arn]}")
        seen[user.arn] = line
        user_keys = row.read_keys(user)
        users.append(_with_counts(user, user_keys))
        keys.extend(user_keys)
    if account_id is None:
        raise InputError(f"{source}: a credential report without rows: no ARN says which account it is")
    return CredentialReport(account_id, source, generated_time, tuple(users), tuple(keys))


def _with_counts(user: ReportUser, keys: list[ReportAccessKey]) -> ReportUser:
    return ReportUser(
        user.arn, user.name, user.account_id, user.is_root, user.created, user.password_enabled,
        user.password_last_used, user.password_used_known, user.password_last_changed, user.mfa_active,
        len(keys), sum(1 for key in keys if key.active),
    )


class _Row:
    def __init__(self, source: str, line: int, header: list[str], values: list[str]) -> None:
        self.source, self.line = source, line
        if len(values) != len(header):
            raise InputError(f"{source}: line {line}: {len(values)} fields where the header has {len(header)}")
        self.values = dict(zip(header, values, strict=True))
        self.user = self.values["user"]

    def error(self, field: str, message: str) -> InputError:
        who = f" (user {self.user})" if self.user else ""
        return InputError(f"{self.source}: line {self.line}{who}: field {field}: {message}")

    def read_user(self) -> ReportUser:
        name = self.values["user"]
        if not name:
            raise self.error("user", "empty")
        match = _ARN.match(self.values["arn"])
        if match is None:
            raise self.error("arn", f"{self.values['arn']!r} is not an IAM user or root ARN")
        is_root = match.group(2) == "root"
        if is_root != (name == ROOT):
            raise self.error("arn", f"{self.values['arn']} does not belong to the user {name}")
        if not is_root and match.group(3) != name:
            raise self.error("arn", f"{self.values['arn']} names a user other than {name}")
        password_enabled = self.flag("password_enabled", allowed=(NOT_SUPPORTED,))
        last_used = self.date("password_last_used", NOT_APPLICABLE, NO_INFORMATION)
        return ReportUser(
            arn=self.values["arn"],
            name=name,
            account_id=match.group(1),
            is_root=is_root,
            created=self.date("user_creation_time", NOT_APPLICABLE) if is_root else self.required_date(
                "user_creation_time"
            ),
            password_enabled=password_enabled,
            password_last_used=last_used,
            password_used_known=self.values["password_last_used"] not in (NO_INFORMATION, NOT_SUPPORTED),
            password_last_changed=self.date("password_last_changed", NOT_APPLICABLE),
            mfa_active=bool(self.flag("mfa_active")),
            access_key_count=0,
            active_access_key_count=0,
        )

    def read_keys(self, user: ReportUser) -> list[ReportAccessKey]:
        keys = []
        for slot in (1, 2):
            prefix = f"access_key_{slot}_"
            active = bool(self.flag(prefix + "active"))
            created = self.date(prefix + "last_rotated", NOT_APPLICABLE)
            last_used = self.date(prefix + "last_used_date", NOT_APPLICABLE)
            if created is None:
                if active:
                    raise self.error(prefix + "last_rotated", "N/A for an active key")
                continue  # the slot never held a key
            keys.append(ReportAccessKey(
                key=f"{user.arn}#{slot}", user_arn=user.arn, user_name=user.name, account_id=user.account_id,
                slot=slot, active=active, created=created, last_used=last_used,
                last_used_region=self.text(prefix + "last_used_region"),
                last_used_service=self.text(prefix + "last_used_service"),
            ))
        return keys

    def flag(self, field: str, allowed: tuple[str, ...] = ()) -> bool | None:
        value = self.values[field]
        if value in allowed:
            return None
        if value not in ("true", "false"):
            expected = " or ".join(("true", "false", *allowed))
            raise self.error(field, f"{value!r} is not {expected}")
        return value == "true"

    def text(self, field: str) -> str | None:
        value = self.values[field]
        return None if value in ("", NOT_APPLICABLE, NOT_SUPPORTED) else value

    def required_date(self, field: str) -> str:
        value = self.date(field)
        if value is None:
            raise self.error(field, "empty")
        return value

    def date(self, field: str, *special: str) -> str | None:
        """An ISO 8601 time as the report writes it, or None for `not_supported` or one of the `special` values."""
        value = self.values[field]
        if value in special or value == NOT_SUPPORTED:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            expected = " or ".join(("an ISO 8601 time", *special, NOT_SUPPORTED))
            raise self.error(field, f"{value!r} is not {expected}") from None
        if parsed.tzinfo is None:
            raise self.error(field, f"{value!r} has no time zone (AWS writes +00:00)")
        return value
