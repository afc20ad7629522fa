"""Live AWS -> plans and snapshot files: the boto3 side of `load --live` and `collect`."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # no stubs; see loaders/live.py

from loaders import live, live_resources, live_security
from loaders.credential_report import CredentialReport, transform_credential_report
from loaders.gaad import merge_pages, merged_output, transform_gaad
from loaders.organizations import transform_organization
from loaders.pipeline import LoadPlan, combine
from loaders.progress import Progress, SilentProgress
from loaders.resources import ResourceSnapshot, transform_resources
from loaders.rows import AccountSnapshot, OrganizationSnapshot
from loaders.security import SecuritySnapshot, transform_security


def account_sessions(
    profile: str | None, role_arns: Sequence[str], progress: Progress
) -> tuple[boto3.Session, list[tuple[str, boto3.Session]]]:
    """The base session, and (label, session) for each account: each role assumed, else the base."""
    base = live.make_session(profile)
    if not role_arns:
        return base, [(f"profile {profile}" if profile else "default credentials", base)]
    sessions = []
    for role_arn in role_arns:
        progress.note(f"assuming {role_arn}")
        sessions.append((role_arn, live.assume_role(base, role_arn)))
    return base, sessions


def plan_from_live(
    *,
    profile: str | None,
    role_arns: Sequence[str],
    organization: bool,
    progress: Progress | None = None,
    resources: bool = False,
    regions: Sequence[str] | None = None,
    security: bool = False,
) -> LoadPlan:
    """Collect every account (and the organization when asked; each account's credential report and security
    snapshot with `security`) and transform it, writing nothing.

    A failure to read the organization is reported as a warning: the accounts still load; so is each part
    of the security data AWS refuses.
    """
    progress = progress or SilentProgress()
    warnings: list[str] = []
    base, sessions = account_sessions(profile, role_arns, progress)
    accounts: list[AccountSnapshot] = []
    resource_snapshots: list[ResourceSnapshot] = []
    reports: list[CredentialReport] = []
    snapshots: list[SecuritySnapshot] = []
    for label, session in sessions:
        account_id = live.get_account_id(session)
        progress.note(f"account {account_id}: reading IAM ({label})")
        pages = live.get_authorization_details(session)
        alias = live.get_account_alias(session, warnings.append)
        source = f"aws:{account_id} ({label})"
        accounts.append(transform_gaad(merge_pages(pages, source), account_id=account_id, alias=alias))
        if resources:
            progress.note(f"account {account_id}: reading resource policies ({label})")
            snapshot = live_resources.get_resources(session, account_id, regions, warnings.append)
            resource_snapshots.append(transform_resources(snapshot, f"aws:{account_id} resources ({label})"))
        if security:
            progress.note(f"account {account_id}: reading the credential report and security settings")
            report, settings = read_security(session, account_id, source, warnings.append)
            reports.extend([report] if report is not None else [])
            snapshots.append(settings)
    organizations: list[OrganizationSnapshot] = []
    if organization:
        try:
            snapshot = live.get_organization(base, warnings.append)
        except live.AwsError as exc:
            warnings.append(f"{exc}; loading without the organization")
        else:
            organizations.append(transform_organization(snapshot, "aws:organization"))
    return combine(
        accounts, organizations, warnings, resources=resource_snapshots, reports=reports, snapshots=snapshots
    )


def read_security(
    session: boto3.Session, account_id: str, source: str, warn: live.Warn
) -> tuple[CredentialReport | None, SecuritySnapshot]:
    """The account's credential report (None when AWS refuses it) and security snapshot, transformed."""
    report = live_security.get_credential_report(session, warn)
    snapshot = live_security.get_security_snapshot(session, account_id, warn)
    transformed = None
    if report is not None:
        transformed = transform_credential_report(report.text, f"{source} credential report", report.generated_time)
    return transformed, transform_security(snapshot, f"{source} security snapshot")


def collect_organization(profile: str | None, output: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write the live organization as a snapshot file; returns what was written."""
    progress = progress or SilentProgress()
    snapshot = live.get_organization(live.make_session(profile), progress.note)
    transform_organization(snapshot, str(output))  # never write a file `load` would reject
    _write_json(output, snapshot)
    return snapshot


def collect_gaad(
    profile: str | None, role_arns: Sequence[str], folder: Path, progress: Progress | None = None
) -> list[Path]:
    """Write `gaad-<account>.json` (AWS CLI format) for each account into `folder`."""
    progress = progress or SilentProgress()
    _, sessions = account_sessions(profile, role_arns, progress)
    written = []
    for _label, session in sessions:
        account_id = live.get_account_id(session)
        output = merged_output(live.get_authorization_details(session))
        path = folder / f"gaad-{account_id}.json"
        transform_gaad(merge_pages([output], str(path)), account_id=account_id)
        _write_json(path, output)
        progress.note(f"account {account_id}: wrote {path}")
        written.append(path)
    return written


def collect_resources(
    profile: str | None,
    role_arns: Sequence[str],
    folder: Path,
    regions: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write `resources-<account>.json` (a resource snapshot) for each account into `folder`. A service or
    region that could not be read is reported through `progress` and left out."""
    progress = progress or SilentProgress()
    _, sessions = account_sessions(profile, role_arns, progress)
    written = []
    for _label, session in sessions:
        account_id = live.get_account_id(session)
        snapshot = live_resources.get_resources(session, account_id, regions, _warning(progress))
        path = folder / f"resources-{account_id}.json"
        loaded = transform_resources(snapshot, str(path))  # never write a file `load` would reject
        _write_json(path, snapshot)
        counts = ", ".join(f"{count} {kind}" for kind, count in loaded.counts().items() if count) or "no resources"
        progress.note(f"account {account_id}: wrote {path} ({counts})")
        written.append(path)
    return written


def collect_security(
    profile: str | None, role_arns: Sequence[str], folder: Path, progress: Progress | None = None
) -> list[Path]:
    """Write `credential-report-<account>.csv` (exactly as AWS returned it, its modification time set to
    GeneratedTime, which `load` reads back) and `security-<account>.json` for each account into `folder`."""
    progress = progress or SilentProgress()
    _, sessions = account_sessions(profile, role_arns, progress)
    written = []
    for _label, session in sessions:
        account_id = live.get_account_id(session)
        report = live_security.get_credential_report(session, progress.note)
        snapshot = live_security.get_security_snapshot(session, account_id, progress.note)
        if report is not None:
            path = folder / f"credential-report-{account_id}.csv"
            transform_credential_report(report.text, str(path), report.generated_time)  # never write what load rejects
            _write_text(path, report.text)
            stamp = dt.datetime.fromisoformat(report.generated_time).timestamp()
            os.utime(path, (stamp, stamp))
            progress.note(f"account {account_id}: wrote {path}")
            written.append(path)
        path = folder / f"security-{account_id}.json"
        transform_security(snapshot, str(path))
        _write_json(path, snapshot)
        progress.note(f"account {account_id}: wrote {path}")
        written.append(path)
    return written


def _warning(progress: Progress) -> live.Warn:
    def warn(text: str) -> None:
        progress.note(f"warning: {text}")

    return warn


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8", newline="") as file:  # the report's own line ends, unchanged
        file.write(text)
    temporary.replace(path)


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(value, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
