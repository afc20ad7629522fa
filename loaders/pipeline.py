"""get -> transform -> load: read every input and transform it completely, then write.

Nothing is written unless every input read and transformed cleanly, so a bad file never leaves a
partial account; each account (and organization) is then written in its own transaction, accounts by
one or several workers. A write that fails after that leaves every account with either its previous
snapshot or its new one, never a mix: the error says which.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neo4j
from neo4j.exceptions import DriverError, IncompleteCommit, Neo4jError

from loaders.credential_report import CredentialReport, transform_credential_report
from loaders.detect import expand_paths, read_input
from loaders.gaad import merge_pages, transform_gaad
from loaders.graph_writer import DEFAULT_BATCH_SIZE, WriteResult, write_account, write_organization, write_resources
from loaders.organizations import transform_organization
from loaders.progress import Progress, SilentProgress
from loaders.resources import ResourceSnapshot, transform_resources
from loaders.rows import AccountSnapshot, OrganizationSnapshot
from loaders.security import SecuritySnapshot, transform_security
from loaders.security_writer import write_credential_report, write_security_snapshot
from service.errors import InputError, LoadError


@dataclass(frozen=True, slots=True)
class LoadPlan:
    accounts: tuple[AccountSnapshot, ...]
    organizations: tuple[OrganizationSnapshot, ...]
    warnings: tuple[str, ...] = ()
    resources: tuple[ResourceSnapshot, ...] = ()  # per account, written after the accounts
    reports: tuple[CredentialReport, ...] = ()
    snapshots: tuple[SecuritySnapshot, ...] = ()


@dataclass(slots=True)
class LoadSummary:
    accounts: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    resources: list[dict[str, Any]] = field(default_factory=list)
    security: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "accounts": self.accounts,
            "organizations": self.organizations,
            "security": self.security,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }
        if self.resources:
            out["resources"] = self.resources
        return out


def plan_from_paths(paths: Sequence[str | Path], progress: Progress | None = None) -> LoadPlan:
    """Read, recognise, validate and transform every file (folders expanded).

    Raises:
        InputError: the first bad file, naming it and the entity at fault.
    """
    progress = progress or SilentProgress()
    accounts: list[AccountSnapshot] = []
    organizations: list[OrganizationSnapshot] = []
    resources: list[ResourceSnapshot] = []
    reports: list[CredentialReport] = []
    snapshots: list[SecuritySnapshot] = []
    for path in expand_paths(paths):
        started = time.monotonic()
        document = read_input(path)
        if document.kind == "resources":
            snapshot_of_resources = transform_resources(document.values[0], document.source)
            resources.append(snapshot_of_resources)
            progress.note(
                f"{document.source}: resources of account {snapshot_of_resources.account_id}: "
                f"{resource_counts_text(snapshot_of_resources)}"
            )
        elif document.kind == "credential-report":
            report = transform_credential_report(str(document.values[0]), document.source, file_time(path))
            reports.append(report)
            progress.note(f"{document.source}: credential report of account {report.account_id}")
        elif document.kind == "security":
            security = transform_security(document.values[0], document.source)
            snapshots.append(security)
            progress.note(f"{document.source}: security snapshot of account {security.account_id}")
        elif document.kind == "gaad":
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
    return combine(accounts, organizations, resources=resources, reports=reports, snapshots=snapshots)


def file_time(path: Path) -> str:
    """When a credential report file was written: the CSV carries no GeneratedTime, so `collect --security`
    sets the file's modification time to it."""
    try:
        seconds = path.stat().st_mtime
    except OSError:
        seconds = time.time()
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).isoformat()


def combine(
    accounts: Sequence[AccountSnapshot],
    organizations: Sequence[OrganizationSnapshot],
    warnings: Sequence[str] = (),
    *,
    resources: Sequence[ResourceSnapshot] = (),
    reports: Sequence[CredentialReport] = (),
    snapshots: Sequence[SecuritySnapshot] = (),
) -> LoadPlan:
    """One plan; two inputs for the same account (or organization) are an error, not a silent merge."""
    for what, inputs in (("credential report", reports), ("security snapshot", snapshots)):
        firsts: dict[str, str] = {}
        for item in inputs:
            if item.account_id in firsts:
                raise InputError(
                    f"{item.source}: the {what} of account {item.account_id} is also in {firsts[item.account_id]}; "
                    f"give each account's {what} once"
                )
            firsts[item.account_id] = item.source
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
    all_warnings = [*warnings, *(w for account in accounts for w in account.warnings)]
    all_warnings += (w for organization in organizations for w in organization.warnings)
    for organization in organizations:
        if organization.skipped_policy_types:
            kinds = ", ".join(sorted(set(organization.skipped_policy_types)))
            all_warnings.append(f"{organization.source}: skipped policies that do not control access ({kinds})")
    _check_resources(resources)
    all_warnings += (w for snapshot in resources for w in snapshot.warnings)
    return LoadPlan(
        tuple(accounts),
        tuple(organizations),
        tuple(all_warnings),
        resources=tuple(resources),
        reports=tuple(reports),
        snapshots=tuple(snapshots),
    )


def _check_resources(resources: Sequence[ResourceSnapshot]) -> None:
    """Two resource snapshots of one account, or one resource in two (an S3 bucket ARN names no account),
    are an error, not a silent merge."""
    accounts: dict[str, str] = {}
    owners: dict[str, str] = {}
    for snapshot in resources:
        if snapshot.account_id in accounts:
            raise InputError(
                f"{snapshot.source}: resources of account {snapshot.account_id} are also in "
                f"{accounts[snapshot.account_id]}; give each account's resources once"
            )
        accounts[snapshot.account_id] = snapshot.source
        for row in snapshot.resources:
            if row.arn in owners:
                raise InputError(f"{snapshot.source}: resource {row.arn} is also in {owners[row.arn]}")
            owners[row.arn] = snapshot.source


def resource_counts_text(snapshot: ResourceSnapshot) -> str:
    """`2 AWS::S3::Bucket, 1 AWS::KMS::Key, ...`: the types it has, or "no resources"."""
    counts = [f"{count} {kind}" for kind, count in snapshot.counts().items() if count]
    return ", ".join(counts) or "no resources"


def resource_summary(snapshot: ResourceSnapshot, seconds: float, removed: int) -> dict[str, Any]:
    return {
        "accountId": snapshot.account_id,
        "source": snapshot.source,
        "types": snapshot.counts(),
        "resources": len(snapshot.resources),
        "policies": len(snapshot.policies),
        "statements": len(snapshot.statements),
        "principalEdges": len(snapshot.principals),
        "removed": removed,
        "seconds": round(seconds, 3),
    }


def write_plan(
    driver: neo4j.Driver,
    plan: LoadPlan,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    workers: int = 1,
    keep_loads: int | None = None,
) -> LoadSummary:
    """Write each organization, then the accounts, `workers` at a time; each in its own transaction. History
    keeps the newest `keep_loads` loads of each (default `history_keep()`: ACCESSGRAPH_HISTORY_LOADS or 30).

    Concurrent accounts share nodes (AWS managed policies, external principals, other accounts and their
    placeholders), so their transactions can deadlock: the server aborts one, and the driver runs it
    again. The driver is thread-safe; each worker has its own session.

    Raises:
        LoadError: a write failed. No account is left half-written: the error names the failed one and
            its file, the accounts written, and those not started (their previous snapshot stays).
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    progress = progress or SilentProgress()
    summary = LoadSummary(warnings=list(plan.warnings))
    started = time.monotonic()
    for index, organization in enumerate(plan.organizations):
        try:
            result = write_organization(
                driver, organization, database=database, batch_size=batch_size, progress=progress,
                keep_loads=keep_loads,
            )
        except (Neo4jError, DriverError) as exc:
            done = [f"organization {org.id}" for org in plan.organizations[:index]]
            kept = [f"organization {org.id}" for org in plan.organizations[index + 1 :]]
            kept += [f"account {account.account_id}" for account in plan.accounts]
            raise LoadError(_failure(f"organization {organization.id}", organization.source, exc, done, kept)) from exc
        summary.organizations.append({
            "id": organization.id, "source": organization.source, "accounts": len(organization.accounts),
            "organizationalUnits": len(organization.units), "policies": len(organization.policies),
            "seconds": round(result.seconds, 3), "historyLoadId": result.history_load_id,
        })
        progress.note(f"{result.label}: done in {result.seconds:.1f} s")

    def write(account: AccountSnapshot) -> WriteResult:
        return write_account(
            driver, account, database=database, batch_size=batch_size, progress=progress, keep_loads=keep_loads
        )

    written: dict[int, dict[str, Any]] = {}
    with closing(_write_accounts(plan.accounts, write, workers)) as outcomes:
        for index, outcome in outcomes:
            account = plan.accounts[index]
            if isinstance(outcome, Neo4jError | DriverError):
                done = [f"organization {org.id}" for org in plan.organizations]
                done += [f"account {plan.accounts[i].account_id}" for i in sorted(written)]
                kept = [f"account {a.account_id}" for i, a in enumerate(plan.accounts) if i not in {*written, index}]
                message = _failure(f"account {account.account_id}", account.source, outcome, done, kept)
                raise LoadError(message) from outcome
            if isinstance(outcome, BaseException):
                raise outcome  # a bug, not a database failure
            written[index] = account_summary(account, outcome.seconds, outcome.removed)
            written[index]["historyLoadId"] = outcome.history_load_id
            rate = account.entity_count / outcome.seconds if outcome.seconds > 0 else 0.0
            progress.note(
                f"{outcome.label}: {account.entity_count} entities, {outcome.rows} rows in {outcome.seconds:.1f} s "
                f"({rate:,.0f} entities/s)"
            )
    summary.accounts = [written[index] for index in sorted(written)]
    for index, snapshot in enumerate(plan.resources):
        try:
            result = write_resources(driver, snapshot, database=database, batch_size=batch_size, progress=progress)
        except (Neo4jError, DriverError) as exc:
            done = [f"organization {org.id}" for org in plan.organizations]
            done += [f"account {account.account_id}" for account in plan.accounts]
            done += [f"resources of account {r.account_id}" for r in plan.resources[:index]]
            kept = [f"resources of account {r.account_id}" for r in plan.resources[index + 1 :]]
            what = f"resources of account {snapshot.account_id}"
            raise LoadError(_failure(what, snapshot.source, exc, done, kept)) from exc
        summary.resources.append(resource_summary(snapshot, result.seconds, result.removed))
        progress.note(f"{result.label}: {resource_counts_text(snapshot)}; {result.rows} rows in {result.seconds:.1f} s")
    summary.security = _write_security(driver, plan, database, batch_size, progress, [*written.values()])
    summary.seconds = time.monotonic() - started
    for warning in summary.warnings:
        progress.note(f"warning: {warning}")
    return summary


def _write_security(
    driver: neo4j.Driver,
    plan: LoadPlan,
    database: str,
    batch_size: int,
    progress: Progress,
    accounts_written: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each credential report, then each security snapshot, in its own transaction (after the IAM snapshots).

    Raises:
        LoadError: as `write_plan` does, naming the report or snapshot that failed.
    """
    done: list[dict[str, Any]] = []
    inputs: list[tuple[str, CredentialReport | SecuritySnapshot]] = [("credential report", r) for r in plan.reports]
    inputs += [("security snapshot", item) for item in plan.snapshots]
    for index, (what, item) in enumerate(inputs):
        try:
            if isinstance(item, CredentialReport):
                result = write_credential_report(
                    driver, item, database=database, batch_size=batch_size, progress=progress
                )
            else:
                result = write_security_snapshot(
                    driver, item, database=database, batch_size=batch_size, progress=progress
                )
        except (Neo4jError, DriverError) as exc:
            written = [f"organization {org.id}" for org in plan.organizations]
            written += [f"account {account['accountId']}" for account in accounts_written]
            written += [f"{entry['kind']} {entry['accountId']}" for entry in done]
            kept = [f"{kind} {other.account_id}" for kind, other in inputs[index + 1 :]]
            raise LoadError(_failure(f"{what} {item.account_id}", item.source, exc, written, kept)) from exc
        done.append({
            "kind": what, "accountId": item.account_id, "source": item.source, "rows": result.rows,
            "removed": result.removed, "seconds": round(result.seconds, 3),
        })
        progress.note(f"{result.label}: {result.rows} rows in {result.seconds:.1f} s")
    return done


def _write_accounts(
    accounts: Sequence[AccountSnapshot], write: Callable[[AccountSnapshot], WriteResult], workers: int
) -> Generator[tuple[int, WriteResult | BaseException]]:
    """(index, result or exception) per account as each finishes. After a failure no account is started;
    with several workers, those being written finish (each commits or rolls back whole) before the failure
    comes, last; Ctrl-C likewise. With one, the account being written is the one that failed."""
    if workers == 1:
        for index, account in enumerate(accounts):
            try:
                yield index, write(account)
            except (Neo4jError, DriverError) as exc:
                yield index, exc
                return
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load")
    try:
        pending: dict[Future[WriteResult], int] = {pool.submit(write, a): i for i, a in enumerate(accounts)}
        failure: tuple[int, BaseException] | None = None
        while pending:
            done, _ = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                index = pending.pop(future)
                error = future.exception()
                if error is None:
                    yield index, future.result()
                elif failure is None:
                    failure = (index, error)
            if failure is not None:
                for future in [f for f in pending if f.cancel()]:
                    pending.pop(future)
        if failure is not None:
            yield failure
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _failure(what: str, source: str, exc: BaseException, written: list[str], kept: list[str]) -> str:
    reason = exc.message if isinstance(exc, Neo4jError) and exc.message else str(exc)
    code = f" ({exc.code})" if isinstance(exc, Neo4jError) and exc.code else ""
    outcome = (
        f"the connection broke while {what} committed: the server may have kept the previous snapshot or "
        "the new one, never a mix; load its file again"
        if isinstance(exc, IncompleteCommit)
        else f"{what} keeps its previous snapshot (its transaction rolled back; nothing of it was written)."
    )
    lines = [
        f"{source}: writing {what} failed{code}: {reason}",
        outcome,
        "written (new snapshot): " + (", ".join(written) or "nothing"),
        "not written (previous snapshot kept): " + (", ".join(kept) or "nothing else"),
    ]
    return "\n".join(lines)


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
