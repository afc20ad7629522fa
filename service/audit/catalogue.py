"""The audit's categories: what each finding means, how severe it is, the CIS AWS Foundations Benchmark
v3.0.0 control it matches and what to do about it (docs/audit.md quotes the tutorial's words for each)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["critical", "high", "medium", "low"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
CIS_VERSION = "CIS AWS Foundations Benchmark v3.0.0"


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    severity: Severity
    cis: str  # the v3.0.0 control id; "" when the benchmark has none
    recommendation: str


_CATEGORIES = (
    Category("root-access-key", "critical", "1.3", "Delete the root user's access keys; use IAM roles or users"),
    Category("root-without-mfa", "critical", "1.4", "Enable MFA on the root user (hardware MFA: CIS 1.5)"),
    Category(
        "root-used-recently", "high", "1.6", "Stop using the root user for everyday tasks; use IAM users or roles"
    ),
    Category("user-console-without-mfa", "high", "1.9", "Enable MFA for every user with a console password"),
    Category(
        "admin-without-mfa", "critical", "1.9", "Enable MFA for this administrator, or take the admin rights away"
    ),
    Category("access-key-not-rotated", "medium", "1.13", "Rotate the access key (create a new one, delete the old)"),
    Category("access-key-unused", "medium", "1.11", "Deactivate or delete the unused access key"),
    Category("two-active-access-keys", "medium", "1.12", "Keep one active access key per user; deactivate the other"),
    Category(
        "credentials-unused", "medium", "1.11", "Disable the console password or access key unused in the window"
    ),
    Category(
        "password-policy-missing",
        "medium",
        "1.7, 1.8",
        "Set an account password policy (length 14, reuse prevention 24)",
    ),
    Category("password-policy-weak", "medium", "1.7, 1.8", "Raise the password policy to the CIS values"),
    Category(
        "user-with-direct-policies", "low", "1.14", "Attach the permissions to a group and add the user to it"
    ),
    Category("unused-role", "low", "", "Delete the role, or confirm who still needs it"),
    Category(
        "no-multi-region-trail", "high", "3.1", "Create a multi-region CloudTrail trail logging management events"
    ),
    Category("trail-not-logging", "high", "3.1", "Start logging on the trail (cloudtrail start-logging)"),
    Category("config-not-recording", "medium", "3.3", "Record all resource types with AWS Config in every region"),
    Category(
        "admin-policy-customer", "high", "1.15", "Replace the \"*\" on \"*\" allow with the actions the holders need"
    ),
)
CATEGORIES: dict[str, Category] = {category.name: category for category in _CATEGORIES}
CATEGORY_NAMES: tuple[str, ...] = tuple(CATEGORIES)

# The password policy the benchmark asks for (v3.0.0 names only these two: 1.7 and 1.8).
CIS_MINIMUM_PASSWORD_LENGTH = 14
CIS_PASSWORD_REUSE_PREVENTION = 24
