"""The credential report transform: AWS's special values, the root row, the account from the ARNs, and a bad
row refused naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.credential_report import HEADER, is_credential_report, transform_credential_report
from loaders.detect import read_input
from loaders.pipeline import plan_from_paths
from service.errors import InputError
from tests.support.credentials import key, report_csv, report_row, report_text
from tests.support.samples import ACCOUNT_A, ACCOUNT_B, EXAMPLES

GENERATED = "2026-12-01T00:00:00+00:00"


def test_the_root_row_as_aws_writes_it() -> None:
    report = transform_credential_report(report_text([report_row("<root_account>", mfa_active="true")]), "r", "t")
    (root,) = report.users
    assert report.account_id == ACCOUNT_A and report.generated_time == "t"
    assert (root.is_root, root.arn, root.password_enabled, root.password_last_changed) == (
        True, f"arn:aws:iam::{ACCOUNT_A}:root", None, None  # not_supported: the report does not say
    )
    assert root.mfa_active is True and root.access_key_count == 0


def test_root_access_keys_are_reported() -> None:
    row = report_row("<root_account>", **key(1, "2025-01-01T00:00:00+00:00", used="2026-11-01T00:00:00+00:00"))
    report = transform_credential_report(report_text([row]), "r", GENERATED)
    (found,) = report.access_keys
    assert (found.user_arn, found.slot, found.active, found.last_used) == (
        f"arn:aws:iam::{ACCOUNT_A}:root", 1, True, "2026-11-01T00:00:00+00:00"
    )
    assert report.users[0].access_key_count == 1


@pytest.mark.parametrize(
    ("value", "last_used", "known"),
    [
        ("2026-11-30T08:41:17+00:00", "2026-11-30T08:41:17+00:00", True),
        ("N/A", None, True),  # never used (or no password)
        ("no_information", None, False),  # not used since IAM began tracking it (October 2014)
        ("not_supported", None, False),  # the report does not say
    ],
)
def test_password_last_used(value: str, last_used: str | None, known: bool) -> None:
    report = transform_credential_report(report_text([report_row("Jesse", password_last_used=value)]), "r", "t")
    (user,) = report.users
    assert (user.password_last_used, user.password_used_known) == (last_used, known)


def test_a_user_without_a_console_password() -> None:
    row = report_row("ci-bot", password_enabled="false", password_last_used="N/A", password_last_changed="N/A")
    (user,) = transform_credential_report(report_text([row]), "r", "t").users
    assert (user.password_enabled, user.password_last_changed, user.created) == (
        False, None, "2025-03-04T10:12:41+00:00"
    )


def test_two_keys_one_never_used_one_inactive() -> None:
    row = report_row(
        "Jake", **key(1, "2025-03-05T09:12:44+00:00", used="2026-11-28T16:03:00+00:00", service="ec2"),
        **key(2, "2026-10-01T00:00:00+00:00", active="false"),
    )
    report = transform_credential_report(report_text([row]), "r", "t")
    first, second = report.access_keys
    assert (first.slot, first.active, first.last_used_service, first.last_used_region) == (1, True, "ec2", "us-east-1")
    assert (second.slot, second.active, second.last_used, second.last_used_service) == (2, False, None, None)
    assert (report.users[0].access_key_count, report.users[0].active_access_key_count) == (2, 1)
    assert first.key != second.key


def test_a_slot_that_never_held_a_key_is_no_key() -> None:
    assert transform_credential_report(report_text([report_row("Jesse")]), "r", "t").access_keys == ()


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"mfa_active": "yes"}, "mfa_active", "'yes' is not true or false"),
        ({"password_enabled": "N/A"}, "password_enabled", "'N/A' is not true or false or not_supported"),
        ({"password_last_used": "yesterday"}, "password_last_used", "not an ISO 8601 time or N/A or no_information"),
        ({"user_creation_time": "2025-03-04T10:12:41"}, "user_creation_time", "has no time zone"),
        ({"arn": "arn:aws:iam::1234:user/Jake"}, "arn", "not an IAM user or root ARN"),
        ({"arn": f"arn:aws:iam::{ACCOUNT_A}:user/Someone"}, "arn", "names a user other than Jake"),
        ({"arn": f"arn:aws:iam::{ACCOUNT_A}:root"}, "arn", "does not belong to the user Jake"),
        ({"access_key_1_active": "true"}, "access_key_1_last_rotated", "N/A for an active key"),
        ({"access_key_2_last_used_date": "soon"}, "access_key_2_last_used_date", "'soon' is not"),
    ],
)
def test_a_bad_row_names_file_line_user_and_field(fields: dict[str, str], field: str, says: str) -> None:
    text = report_text([report_row("<root_account>"), report_row("Jake", **fields)])
    with pytest.raises(InputError) as caught:
        transform_credential_report(text, "report.csv", GENERATED)
    message = str(caught.value)
    assert message.startswith(f"report.csv: line 3 (user Jake): field {field}: "), message
    assert says in message


def test_a_short_row_names_its_line() -> None:
    text = report_text([report_row("<root_account>")]) + "\nJake,arn:aws:iam::111111111111:user/Jake"
    with pytest.raises(InputError, match=r"^r: line 3: 2 fields where the header has 22$"):
        transform_credential_report(text, "r", GENERATED)


def test_the_line_counts_quoted_newlines() -> None:
    text = report_text([report_row("<root_account>")]) + '\n"Ja\nke",x'
    with pytest.raises(InputError, match=r"^r: line 4: 2 fields"):
        transform_credential_report(text, "r", GENERATED)


def test_rows_of_two_accounts_are_refused() -> None:
    text = report_text([report_row("<root_account>"), report_row("dana", account=ACCOUNT_B)])
    with pytest.raises(InputError, match=rf"line 3 \(user dana\): field arn: account {ACCOUNT_B} differs from"):
        transform_credential_report(text, "r", GENERATED)


def test_a_user_twice_is_refused() -> None:
    text = report_text([report_row("Jake"), report_row("Jake")])
    with pytest.raises(InputError, match=r"line 3 \(user Jake\): field arn: .*also on line 2"):
        transform_credential_report(text, "r", GENERATED)


def test_a_report_without_rows_names_no_account() -> None:
    with pytest.raises(InputError, match="without rows"):
        transform_credential_report(HEADER + "\n", "r", GENERATED)


def test_recognised_by_its_header_line_only() -> None:
    assert is_credential_report(report_text([report_row("Jesse")]))
    assert is_credential_report("\ufeff" + HEADER + "\r\n")
    assert not is_credential_report("user,arn\nJesse,x")
    assert not is_credential_report('{"AccountId": "111111111111"}')


def test_a_file_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = report_csv(tmp_path / "anything.txt", [report_row("<root_account>")])
    assert read_input(path).kind == "credential-report"
    (report,) = plan_from_paths([path]).reports
    assert report.account_id == ACCOUNT_A and report.source == str(path)


def test_the_demo_report() -> None:
    (report,) = plan_from_paths([EXAMPLES / f"credential-report-{ACCOUNT_A}.csv"]).reports
    users = {user.name: user for user in report.users}
    assert {name for name, user in users.items() if user.mfa_active} == {
        "<root_account>", "Jesse", "Segun", "Jake", "Jessica"
    }
    assert users["Alice"].mfa_active is False and users["Alice"].password_enabled
    (old,) = report.access_keys
    assert (old.user_name, old.created) == ("Jake", "2025-03-05T09:12:44+00:00")
