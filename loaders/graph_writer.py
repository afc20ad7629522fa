"""The one writer: an account or organization snapshot replaces the previous one in ONE transaction.

Everything is validated and transformed before the transaction opens, and the transaction is
all-or-nothing, so readers see the old snapshot or the new one, never half of either. Rows go in
`UNWIND $rows` batches; every MERGE key has a constraint (cypher/schema.cypher).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from loaders.arns import iam_account
from loaders.history import LoadRecordPlan, history_keep, record_load
from loaders.progress import Progress, SilentProgress
from loaders.resources import ResourcePrincipalRow, ResourceSnapshot
from loaders.rows import AccountSnapshot, Link, OrganizationSnapshot, TrustRow, node_properties
from service.cypher import query
from service.history.facts import account_counts, account_facts, organization_counts, organization_facts

if TYPE_CHECKING:  # the driver is imported by whoever connects; `accessgraph load --help` never does
    import neo4j

DEFAULT_BATCH_SIZE = 5000
# A node this transaction had read was deleted by a concurrent load's commit before this one could link
# to it. The server calls that a client error, so the driver does not retry it; a fresh attempt reads
# the committed graph and MERGEs the node again.
_DELETED_UNDER_US = "Neo.ClientError.Statement.EntityNotFound"
_ATTEMPTS_AFTER_DELETION = 5

_TRUST_QUERIES = {
    "principal": "load_trusts_principal",
    "assumed-role": "load_trusts_assumed_role",
    "account": "load_trusts_account",
    "external": "load_trusts_external",
}


@dataclass(frozen=True, slots=True)
class WriteResult:
    label: str
    rows: int
    seconds: float
    removed: int = 0
    attempts: int = 1
    history_load_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Batch:
    query: str
    rows: list[dict[str, Any]]


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_account(
    driver: neo4j.Driver,
    snapshot: AccountSnapshot,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    loaded_at: str | None = None,
    keep_loads: int | None = None,
) -> WriteResult:
    """Replace the account's previous snapshot with this one, atomically, and record the load in history
    in the same transaction (keeping the newest `keep_loads`, default `history_keep()`).

    Other accounts' nodes are left alone; their edges into this account survive (a principal that
    disappeared but is still trusted from elsewhere stays as a placeholder).
    """
    label = f"account {snapshot.account_id}"
    params = {"accountId": snapshot.account_id}
    batches = _account_batches(snapshot, batch_size)
    begin = {**params, "loadedAt": loaded_at or now_iso(), "source": snapshot.source, "alias": snapshot.alias}
    history = LoadRecordPlan(
        "account", snapshot.account_id, snapshot.source, tuple(account_facts(snapshot)), account_counts(snapshot),
        keep_loads or history_keep(),
    )

    def work(tx: neo4j.ManagedTransaction) -> WriteResult:
        started = time.monotonic()
        tx.run(query("load_account_begin"), begin).consume()
        candidates = tx.run(query("load_account_unlink"), params).single(strict=True)["candidates"]
        keep = {**params, "keep": list(snapshot.owned_arns)}
        removed = _count(tx, "load_account_demote", keep) + _count(tx, "load_account_delete_stale", keep)
        done = _run_batches(tx, batches, params, label, progress, started)
        _count(tx, "load_account_relink", params)
        removed += _count(tx, "load_account_orphans", {"candidates": candidates})
        load_id = record_load(tx, history)
        return WriteResult(label, done, time.monotonic() - started, removed, history_load_id=load_id)

    return _write(driver, database, label, work, sum(len(b.rows) for b in batches), progress)


def write_organization(
    driver: neo4j.Driver,
    snapshot: OrganizationSnapshot,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    keep_loads: int | None = None,
) -> WriteResult:
    """Replace the organization's previous snapshot with this one, atomically, recording the load in
    history in the same transaction (see write_account)."""
    label = f"organization {snapshot.id}"
    org = {
        "id": snapshot.id, "arn": snapshot.arn, "managementAccountId": snapshot.management_account_id,
        "managementAccountArn": snapshot.management_account_arn, "featureSet": snapshot.feature_set,
        "source": snapshot.source, "loadedAt": now_iso(),
    }
    params = {"orgId": snapshot.id}
    account_ids = [row.id for row in snapshot.accounts]
    stale = {
        **params,
        "rootIds": [row.id for row in snapshot.roots],
        "unitIds": [row.id for row in snapshot.units],
        "accountIds": account_ids,
        "policyArns": [row.arn for row in snapshot.policies],
    }
    batches = [
        *_chunks("load_org_roots", [node_properties(r, exclude=("parent_id",)) for r in snapshot.roots], batch_size),
        *_chunks("load_org_units", [node_properties(r) for r in snapshot.units], batch_size),
        *_chunks("load_org_unit_parents", [{"id": r.id, "parentId": r.parent_id} for r in snapshot.units], batch_size),
        *_chunks("load_org_accounts", [node_properties(r) for r in snapshot.accounts], batch_size),
        *_chunks("load_org_policies", [
            {"props": node_properties(p, exclude=("target_ids",)), "targets": list(p.target_ids)}
            for p in snapshot.policies
        ], batch_size),
    ]

    history = LoadRecordPlan(
        "organization", snapshot.id, snapshot.source, tuple(organization_facts(snapshot)),
        organization_counts(snapshot), keep_loads or history_keep(),
    )

    def work(tx: neo4j.ManagedTransaction) -> WriteResult:
        started = time.monotonic()
        tx.run(query("load_org_begin"), {"org": {k: v for k, v in org.items() if v is not None}}).consume()
        tx.run(query("load_org_unlink"), {**params, "accountIds": account_ids}).consume()
        tx.run(query("load_org_stale"), stale).consume()
        done = _run_batches(tx, batches, params, label, progress, started)
        load_id = record_load(tx, history)
        return WriteResult(label, done, time.monotonic() - started, history_load_id=load_id)

    return _write(driver, database, label, work, sum(len(b.rows) for b in batches), progress)


def _write(
    driver: neo4j.Driver,
    database: str,
    label: str,
    work: Callable[[neo4j.ManagedTransaction], WriteResult],
    total: int,
    progress: Progress | None,
) -> WriteResult:
    """Run `work` as one managed write transaction, again from the start when it has to be.

    The driver retries transient failures (a deadlock with a concurrent load, a lost connection, a
    leader change) within its max_transaction_retry_time; a node deleted under us is retried here.
    """
    progress = progress or SilentProgress()
    progress.note(f"{label}: writing {total} rows in one transaction")
    started = time.monotonic()
    attempts = 0
    transient = "a transient error, such as a deadlock with a concurrent load"
    why = transient

    def attempt(tx: neo4j.ManagedTransaction) -> WriteResult:
        nonlocal attempts, why
        attempts += 1
        if attempts > 1:
            progress.note(f"{label}: writing again (attempt {attempts}) after {why}")
            why = transient
        return work(tx)

    from neo4j.exceptions import ClientError  # imported already: `driver` exists

    with driver.session(database=database) as session:
        for tries in range(1, _ATTEMPTS_AFTER_DELETION + 1):
            try:
                result = session.execute_write(attempt)
                break
            except ClientError as exc:
                if exc.code != _DELETED_UNDER_US or tries == _ATTEMPTS_AFTER_DELETION:
                    raise
                why = "a concurrent load deleted a node it links to"
    return replace(result, seconds=time.monotonic() - started, attempts=attempts)  # commit included


def _run_batches(
    tx: neo4j.ManagedTransaction,
    batches: Sequence[_Batch],
    params: dict[str, Any],
    label: str,
    progress: Progress | None,
    started: float,
) -> int:
    total = sum(len(batch.rows) for batch in batches)
    done = 0
    for batch in batches:
        tx.run(query(batch.query), {**params, "rows": batch.rows}).consume()
        done += len(batch.rows)
        if progress is not None:
            progress.rows(label, done, total, time.monotonic() - started)
    return done


def _count(tx: neo4j.ManagedTransaction, name: str, params: dict[str, Any]) -> int:
    record = tx.run(query(name), params).single(strict=True)
    return int(record[0])


def _chunks(name: str, rows: list[dict[str, Any]], size: int) -> list[_Batch]:
    return [_Batch(name, rows[i : i + size]) for i in range(0, len(rows), size)]


def _links(rows: Sequence[Link]) -> list[dict[str, Any]]:
    return [{"source": row.source, "target": row.target} for row in rows]


def _trust(row: TrustRow) -> dict[str, Any]:
    edge = node_properties(row, exclude=(
        "role_arn", "target_kind", "target", "target_account_id", "role_name", "external_kind", "external_value",
    ))
    return {
        "roleArn": row.role_arn, "target": row.target, "accountId": row.target_account_id,
        "roleName": row.role_name, "kind": row.external_kind, "value": row.external_value, "edge": edge,
    }


def _account_batches(snapshot: AccountSnapshot, size: int) -> list[_Batch]:
    known_aws = [node_properties(p) for p in snapshot.global_policies if p.known]
    unknown = [node_properties(p) for p in snapshot.global_policies if not p.known]
    batches = [
        *_chunks("load_users", [node_properties(r) for r in snapshot.users], size),
        *_chunks("load_groups", [node_properties(r) for r in snapshot.groups], size),
        *_chunks("load_roles", [node_properties(r) for r in snapshot.roles], size),
        *_chunks("load_owned_policies", [node_properties(p) for p in snapshot.policies], size),
        *_chunks("load_aws_policies", known_aws, size),
        *_chunks("load_unknown_policies", unknown, size),
        *_chunks("load_member_of", _links(snapshot.memberships), size),
        *_chunks("load_principal_policies", _links(snapshot.principal_policies), size),
        *_chunks("load_group_policies", _links(snapshot.group_policies), size),
        *_chunks("load_boundaries", _links(snapshot.boundaries), size),
    ]
    for kind, name in _TRUST_QUERIES.items():
        rows = [_trust(row) for row in snapshot.trusts if row.target_kind == kind]
        batches.extend(_chunks(name, rows, size))
    return batches


# -- resources (#14): an account's resource snapshot replaces its previous resources in ONE transaction ---

_RESOURCE_NAME_QUERIES = {
    "principal": "load_resources_names_principal",
    "assumed-role": "load_resources_names_assumed_role",
    "account": "load_resources_names_account",
    "external": "load_resources_names_external",
}


def write_resources(
    driver: neo4j.Driver,
    snapshot: ResourceSnapshot,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    loaded_at: str | None = None,
) -> WriteResult:
    """Replace the account's previous resources (nodes, policies, statements, edges) with this snapshot.

    The account's IAM snapshot is left alone, and an IAM reload leaves its resources alone: they are
    separate units, each replaced whole.
    """
    label = f"resources of account {snapshot.account_id}"
    params = {"accountId": snapshot.account_id}
    batches = _resource_batches(snapshot, batch_size)
    begin = {
        **params, "loadedAt": loaded_at or now_iso(), "source": snapshot.source,
        "accountPublicAccessBlock": snapshot.account_public_access_block,
    }
    keep = {**params, "keep": [row.arn for row in snapshot.resources]}

    def work(tx: neo4j.ManagedTransaction) -> WriteResult:
        started = time.monotonic()
        tx.run(query("load_resources_begin"), begin).consume()
        candidates = tx.run(query("load_resources_unlink"), params).single(strict=True)["candidates"]
        removed = _count(tx, "load_resources_delete", keep)
        done = _run_batches(tx, batches, params, label, progress, started)
        _count(tx, "load_account_orphans", {"candidates": candidates})
        return WriteResult(label, done, time.monotonic() - started, removed)

    return _write(driver, database, label, work, sum(len(b.rows) for b in batches), progress)


def _resource_batches(snapshot: ResourceSnapshot, size: int) -> list[_Batch]:
    nodes = [{"label": row.label, "props": node_properties(row)} for row in snapshot.resources]
    roles = [
        {"arn": row.arn, "role": row.role, "accountId": iam_account(row.role)}
        for row in snapshot.resources if row.role is not None
    ]
    batches = [
        *_chunks("load_resources_nodes", nodes, size),
        *_chunks("load_resources_policies", [node_properties(row) for row in snapshot.policies], size),
        *_chunks("load_resources_statements", [node_properties(row) for row in snapshot.statements], size),
        *_chunks("load_resources_roles", roles, size),
        *_chunks("load_resources_aliases", [node_properties(row) for row in snapshot.aliases], size),
    ]
    for kind, name in _RESOURCE_NAME_QUERIES.items():
        rows = [_names(row) for row in snapshot.principals if row.target_kind == kind]
        batches.extend(_chunks(name, rows, size))
    return batches


def _names(row: ResourcePrincipalRow) -> dict[str, Any]:
    edge = node_properties(row, exclude=(
        "statement_key", "target_kind", "target", "target_account_id", "role_name", "external_kind", "external_value",
    ))
    return {
        "statementKey": row.statement_key, "target": row.target, "accountId": row.target_account_id,
        "roleName": row.role_name, "kind": row.external_kind, "value": row.external_value, "edge": edge,
    }
