"""get -> transform -> load: read every input and transform it completely, then write.

Nothing is written unless every input read and transformed cleanly, so a bad file never leaves a
partial account; each account (and organization) is then written in its own transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j

from loaders.detect import expand_paths, read_input
from loaders.gaad import merge_pages, transform_gaad
from loaders.graph_writer import DEFAULT_BATCH_SIZE, write_account, write_organization
from loaders.organizations import transform_organization
from loaders.progress import Progress, SilentProgress
from loaders.rows import AccountSnapshot, OrganizationSnapshot
from service.errors import InputError


@dataclass(frozen=True, slots=True)
class LoadPlan:
    accounts: tuple[AccountSnapshot, ...]
    organizations: tuple[OrganizationSnapshot, ...]
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class LoadSummary:
    accounts: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "organizations": self.organizations,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }


def plan_from_paths(paths: Sequence[str | Path], progress: Progress | None = None) -> LoadPlan:
    """Read, recognise, validate and transform every file (folders expanded).

    Raises:
        InputError: the first bad file, naming it and the entity at fault.
    """
    progress = progress or SilentProgress()
    accounts: list[AccountSnapshot] = []
    organizations: list[OrganizationSnapshot] = []
    for path in expand_paths(paths):
        started = time.monotonic()
        document = read_input(path)
        if document.kind == "gaad":
            snapshot = transform_gaad(merge_pages(document.values, document.source))
            accounts.append(snapshot)
            progress.note(
                f"{document.source}: account {snapshot.account_id}, {snapshot.entity_count} entities "
                f"read in {time.monotonic() - started:.1f} s"
            )
        else:
            organization = transform_organization(document.values[0], document.source)
            organizations.append(organization)
            progress.note(f"{document.source}: organization {organization.id}, {len(organization.accounts)} accounts")
    return combine(accounts, organizations)


def combine(
    accounts: Sequence[AccountSnapshot], organizations: Sequence[OrganizationSnapshot], warnings: Sequence[str] = ()
) -> LoadPlan:
    """One plan; two inputs for the same account (or organization) are an error, not a silent merge."""
    seen: dict[str, str] = {}
    for account in accounts:
        if account.account_id in seen:
            raise InputError(
                f"{account.source}: account {account.account_id} is also in {seen[account.account_id]}; "
                "give each account once (pages of one account belong in one file)"
            )
        seen[account.account_id] = account.source
    orgs: dict[str, str] = {}
    for organization in organizations:
        if organization.id in orgs:
            raise InputError(
                f"{organization.source}: organization {organization.id} is also in {orgs[organization.id]}"
            )
        orgs[organization.id] = organization.source
    all_warnings = list(warnings)
    for organization in organizations:
        if organization.skipped_policy_types:
            kinds = ", ".join(sorted(set(organization.skipped_policy_types)))
            all_warnings.append(f"{organization.source}: skipped policies that do not control access ({kinds})")
    return LoadPlan(tuple(accounts), tuple(organizations), tuple(all_warnings))


def write_plan(
    driver: neo4j.Driver,
    plan: LoadPlan,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> LoadSummary:
    """Write each organization, then each account, each in its own transaction."""
    progress = progress or SilentProgress()
    summary = LoadSummary(warnings=list(plan.warnings))
    started = time.monotonic()
    for organization in plan.organizations:
        result = write_organization(driver, organization, database=database, batch_size=batch_size, progress=progress)
        summary.organizations.append({
            "id": organization.id, "source": organization.source, "accounts": len(organization.accounts),
            "organizationalUnits": len(organization.units), "policies": len(organization.policies),
            "seconds": round(result.seconds, 3),
        })
        progress.note(f"{result.label}: done in {result.seconds:.1f} s")
    for account in plan.accounts:
        result = write_account(driver, account, database=database, batch_size=batch_size, progress=progress)
        rate = account.entity_count / result.seconds if result.seconds > 0 else 0.0
        summary.accounts.append(account_summary(account, result.seconds, result.removed))
        progress.note(
            f"{result.label}: {account.entity_count} entities, {result.rows} rows in {result.seconds:.1f} s "
            f"({rate:,.0f} entities/s)"
        )
    summary.seconds = time.monotonic() - started
    for warning in summary.warnings:
        progress.note(f"warning: {warning}")
    return summary


def account_summary(account: AccountSnapshot, seconds: float, removed: int) -> dict[str, Any]:
    kinds = {"customer": 0, "inline": 0}
    for policy in account.policies:
        kinds[policy.kind] = kinds.get(policy.kind, 0) + 1
    return {
        "accountId": account.account_id,
        "source": account.source,
        "users": len(account.users),
        "groups": len(account.groups),
        "roles": len(account.roles),
        "customerPolicies": kinds["customer"],
        "inlinePolicies": kinds["inline"],
        "awsManagedPolicies": sum(1 for p in account.global_policies if p.kind == "aws"),
        "unknownPolicies": sum(1 for p in (*account.policies, *account.global_policies) if not p.known),
        "trustEdges": len(account.trusts),
        "removed": removed,
        "seconds": round(seconds, 3),
    }
