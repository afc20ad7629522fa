"""The writer of #16's facts: a credential report or a security snapshot replaces the account's previous one
of the same kind, in ONE transaction; the other kind's facts and the account's IAM snapshot are left alone.

Facts hang off their own nodes (`CredentialReport`, `SecuritySnapshot`) keyed by account id, never off the
`User` or `Account` nodes an IAM load replaces wholesale (`SET n = row`): loading GAAD again keeps them, and
either source loads without the other (docs/graph-model.md, "Credential and security facts").
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from loaders.credential_report import CredentialReport
from loaders.graph_writer import DEFAULT_BATCH_SIZE, WriteResult, _chunks, _count, _run_batches, _write, now_iso
from loaders.progress import Progress
from loaders.rows import node_properties
from loaders.security import SecuritySnapshot
from service.cypher import query

if TYPE_CHECKING:
    import neo4j


def write_credential_report(
    driver: neo4j.Driver,
    report: CredentialReport,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> WriteResult:
    """Replace the account's credential report (its rows and the access keys they show), atomically."""
    label = f"credential report {report.account_id}"
    params = {"accountId": report.account_id}
    header = {"generatedTime": report.generated_time, "source": report.source, "loadedAt": now_iso()}
    batches = [
        *_chunks("load_security_report_users", [node_properties(row) for row in report.users], batch_size),
        *_chunks("load_security_report_keys", [node_properties(row) for row in report.access_keys], batch_size),
    ]

    def work(tx: neo4j.ManagedTransaction) -> WriteResult:
        started = time.monotonic()
        removed = _count(tx, "load_security_report_clear", params)
        tx.run(query("load_security_report"), {**params, "report": header}).consume()
        done = _run_batches(tx, batches, params, label, progress, started)
        return WriteResult(label, done, time.monotonic() - started, removed)

    return _write(driver, database, label, work, sum(len(b.rows) for b in batches), progress)


def write_security_snapshot(
    driver: neo4j.Driver,
    snapshot: SecuritySnapshot,
    *,
    database: str = "neo4j",
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> WriteResult:
    """Replace the account's security snapshot, atomically."""
    label = f"security snapshot {snapshot.account_id}"
    params = {"accountId": snapshot.account_id}
    header = node_properties(
        snapshot, exclude=("account_id", "access_keys", "mfa_devices", "login_profiles", "trails", "recorders")
    )
    header["loadedAt"] = now_iso()
    parts: list[tuple[str, tuple[Any, ...]]] = [
        ("load_security_snapshot_keys", snapshot.access_keys),
        ("load_security_snapshot_mfa", snapshot.mfa_devices),
        ("load_security_snapshot_logins", snapshot.login_profiles),
        ("load_security_snapshot_trails", snapshot.trails),
        ("load_security_snapshot_recorders", snapshot.recorders),
    ]
    batches = [batch for name, rows in parts for batch in _chunks(name, [node_properties(r) for r in rows], batch_size)]

    def work(tx: neo4j.ManagedTransaction) -> WriteResult:
        started = time.monotonic()
        removed = _count(tx, "load_security_snapshot_clear", params)
        tx.run(query("load_security_snapshot"), {**params, "snapshot": header}).consume()
        done = _run_batches(tx, batches, params, label, progress, started)
        return WriteResult(label, done, time.monotonic() - started, removed)

    return _write(driver, database, label, work, sum(len(b.rows) for b in batches), progress)

