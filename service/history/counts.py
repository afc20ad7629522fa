"""What a dashboard charts of an account beside its entity counts, worked out from the graph: administrators,
trust findings by category, audit findings by severity, resources by type.

`stats` answers them for the graph now. A load records them too, right after it commits (`record_counts`), on
the newest recorded load of every account it touched, so that `history` rows chart them over time: a row's
counts are those of the graph once that load (and the resource or security loads of the same run) were written.
They are written in a transaction of their own: a run killed in between leaves the load recorded and its
counts null, never a count of a graph that was not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from service.audit.catalogue import SEVERITIES
from service.audit.model import settings_at
from service.audit.run import findings
from service.cypher import query
from service.database import Neo4jSettings
from service.database.reader import GraphReader, read_apart
from service.history.columns import RESOURCE_COLUMNS, TRUST_CATEGORIES, AccountCounts
from service.history.store import HistoryStore
from service.reachability import Reachability
from service.reachability.model import TrustFinding

if TYPE_CHECKING:
    import neo4j

    from loaders.pipeline import LoadPlan


async def account_counts(
    reachability: Reachability, source: GraphReader, account_ids: Sequence[str]
) -> dict[str, AccountCounts]:
    """The counts of each of `account_ids` (loaded accounts), from the graph as it is now; administrators
    without escalation (#13's definition), the audit with its default thresholds (#16). Each read covers
    the one account asked, or every account when more are."""
    if not account_ids:
        return {}
    scope = account_ids[0] if len(account_ids) == 1 else None
    trusts = await reachability.cross_account_trusts(scope)
    audit = await findings(reachability, source, scope, settings_at(None))
    audited = {record.account_id for record in await source.account_security(scope)}
    kinds: dict[str, Counter[str]] = {}
    for row in await source.rows("stats_resource_counts", accountId=scope):
        kinds.setdefault(str(row["accountId"]), Counter())[str(row["type"])] += int(row["resources"])
    trusts_of: dict[str, list[TrustFinding]] = {}
    for finding in trusts:
        if finding.role.account_id is not None:
            trusts_of.setdefault(finding.role.account_id, []).append(finding)
    severities: dict[str, Counter[str]] = {}
    for audit_finding in audit.findings:
        severities.setdefault(audit_finding.account_id, Counter())[audit_finding.severity] += 1
    counts: dict[str, AccountCounts] = {}
    for account in account_ids:
        own = trusts_of.get(account, [])
        categories = Counter(category for finding in own for category in finding.categories)
        found = severities.get(account, Counter())
        resources = kinds.get(account, Counter())
        # (None: nothing of the account for the audit to read, which is not "no findings")
        by_severity = {s: found[s] for s in SEVERITIES} if account in audited else dict.fromkeys(SEVERITIES)
        counts[account] = AccountCounts(
            cross_account_trusts=len(own),
            **{_snake(c): categories[c] for c in TRUST_CATEGORIES},
            admins=len(await reachability.admins(account, escalation=False)),
            findings=sum(found.values()) if account in audited else None,
            findings_critical=by_severity["critical"], findings_high=by_severity["high"],
            findings_medium=by_severity["medium"], findings_low=by_severity["low"],
            resources=sum(resources.values()),
            **{column: resources[kind] for kind, column in RESOURCE_COLUMNS.items()},
        )
    return counts


def _snake(category: str) -> str:
    return category.replace("-", "_")


async def counts_of_loads(reader: GraphReader, account_ids: Iterable[str]) -> list[dict[str, Any]]:
    """The `history_record_counts` rows for the newest recorded load of each of `account_ids`, worked out
    from the graph now (accounts without a recorded load are left out)."""
    wanted = set(account_ids)
    newest = {load.unit_id: load.id for load in await HistoryStore(reader).latest(None)
              if load.unit == "account" and load.unit_id in wanted}
    counts = await account_counts(Reachability(reader), reader, sorted(newest))
    return [{"id": newest[account], "counts": found.as_properties()} for account, found in counts.items()]


def touched_accounts(plan: LoadPlan) -> set[str]:
    """The accounts whose counts a load can change: those it writes, those under an organization it writes
    (their SCPs decide who is an administrator), and those it writes resources or security facts of."""
    return {
        *(account.account_id for account in plan.accounts),
        *(member.id for organization in plan.organizations for member in organization.accounts),
        *(snapshot.account_id for snapshot in plan.resources),
        *(report.account_id for report in plan.reports),
        *(snapshot.account_id for snapshot in plan.snapshots),
    }


def record_counts(driver: neo4j.Driver, settings: Neo4jSettings, account_ids: Iterable[str]) -> int:
    """Work out the counts of `account_ids` from the graph and write them on their newest recorded loads, in
    one transaction; how many loads got them."""
    rows = read_apart(settings, lambda reader: counts_of_loads(reader, account_ids), timeout=300.0)
    if rows:
        driver.execute_query(query("history_record_counts"), {"rows": rows}, database_=settings.database)
    return len(rows)
