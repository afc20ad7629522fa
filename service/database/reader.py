"""Read-only access for the API: one AsyncDriver, named Cypher files, READ routing, timeouts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from service.cypher import query
from service.database.driver import unavailability
from service.database.records import (
    AccountOrganizationRecord,
    AccountSecurityRecord,
    CrossAccountTrustRecord,
    GroupRecord,
    LoadRecord,
    OrganizationRecord,
    PolicyRecord,
    PrincipalRecord,
    ResourceRecord,
    RoleRecord,
    RoleUsageRecord,
    SecurityLoadRecord,
    TrustTargetRecord,
    account_security_records,
)
from service.database.settings import Neo4jSettings
from service.errors import QueryError

Row = dict[str, Any]
T = TypeVar("T")


class GraphReader:
    """Runs `cypher/<name>.cypher` in read transactions (routed to readers on a cluster).

    Every transaction is opened with access mode READ, so the server itself refuses a write, and with a
    timeout, so one expensive question cannot hold the database. All of them share one bookmark manager:
    on a cluster, a read never lands on a reader older than what an earlier read of this process saw (the
    principal index reads load ids, then the accounts, in separate transactions).
    """

    def __init__(self, settings: Neo4jSettings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._driver = neo4j.AsyncGraphDatabase.driver(
            settings.uri,
            auth=(settings.username, settings.password),
            connection_timeout=5.0,
            connection_acquisition_timeout=10.0,
            max_connection_pool_size=50,
            max_transaction_retry_time=2.0,
            notifications_min_severity="OFF",
        )
        self._bookmarks = neo4j.AsyncGraphDatabase.bookmark_manager()

    async def close(self) -> None:
        await self._driver.close()

    async def rows(self, name: str, **parameters: Any) -> list[Row]:
        """All records of the named query, as plain dicts.

        Raises:
            DatabaseUnavailable: the server does not answer, refuses us, or its database is not available
                (the API turns each into HTTP 503); see `service.database.driver.unavailability`.
            QueryError: the query ran past the timeout.
        """
        return await self._read(name, parameters, _collect)

    async def value_rows(self, name: str, **parameters: Any) -> list[Row]:
        """As `rows`, for a query that returns only values, lists and maps (no node, relationship or path):
        its records are taken as they are, not converted value by value (`Record.data()` walks every
        element of every list: seconds for an organization's principals collected per account)."""
        return await self._read(name, parameters, _collect_values)

    async def _read(self, name: str, parameters: dict[str, Any], collect: _Collector) -> list[Row]:
        text = query(name)
        try:
            async with self._driver.session(
                database=self.settings.database,
                default_access_mode=neo4j.READ_ACCESS,
                bookmark_manager=self._bookmarks,
            ) as session:
                work = neo4j.unit_of_work(timeout=self.timeout)(collect)
                return await session.execute_read(work, text, parameters)
        except (Neo4jError, DriverError, OSError) as exc:
            error = unavailability(exc, self.settings)
            if error is not None:
                raise error from exc
            if _timed_out(exc):
                raise QueryError(f"the question took longer than {self.timeout:.0f} s; narrow it") from exc
            raise

    async def check(self) -> None:
        """Return when the database answers a read.

        Raises:
            DatabaseUnavailable: the subclass saying why it does not (unreachable, refused, not ready).
        """
        await self.rows("ping")

    # -- the reachability queries, decoded into records (this makes a GraphReader a GraphSource) -----------

    async def loads(self) -> list[LoadRecord]:
        return [LoadRecord.from_row(unit) for row in await self.value_rows("reach_generation") for unit in row["units"]]

    async def account_principals(self, account_id: str) -> list[PrincipalRecord]:
        rows = await self.rows("reach_account_principals", accountId=account_id)
        return sorted((PrincipalRecord.from_row(row) for row in rows), key=_by_arn)

    async def account_groups(self, account_id: str) -> list[GroupRecord]:
        rows = await self.rows("reach_account_groups", accountId=account_id)
        return sorted((GroupRecord.from_row(row) for row in rows), key=_by_arn)

    async def account_policies(self, account_id: str, cached: Sequence[str]) -> list[PolicyRecord]:
        rows = await self.rows("reach_account_policies", accountId=account_id, cached=list(cached))
        return [PolicyRecord.from_row(row) for row in rows]

    async def policy_documents(self, arns: Sequence[str]) -> list[PolicyRecord]:
        return [PolicyRecord.from_row(row) for row in await self.rows("reach_policy_documents", arns=list(arns))]

    async def account_organizations(self, account_ids: Sequence[str]) -> list[OrganizationRecord]:
        rows = await self.rows("reach_account_organizations", accountIds=list(account_ids))
        return [OrganizationRecord.from_row(row) for row in rows]

    async def account_organization_ids(self) -> list[AccountOrganizationRecord]:
        return [AccountOrganizationRecord.from_row(row) for row in await self.rows("reach_account_organization_ids")]

    async def role(self, arn: str) -> RoleRecord | None:
        rows = await self.rows("reach_role", arn=arn)
        return RoleRecord.from_row(rows[0]) if rows else None

    async def roles(self, arns: Sequence[str]) -> list[RoleRecord]:
        return [RoleRecord.from_row(row) for row in await self.rows("reach_roles", arns=list(arns))]

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        return [TrustTargetRecord.from_row(row) for row in await self.rows("reach_trust_targets", arn=role_arn)]

    async def trust_targets_of(self, role_arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        found: dict[str, list[TrustTargetRecord]] = {}
        for row in await self.rows("reach_trust_targets_of", arns=list(role_arns)):
            found.setdefault(row["role"], []).append(TrustTargetRecord.from_row(row))
        return found

    async def trusts_across_accounts(self, account_id: str | None) -> list[CrossAccountTrustRecord]:
        rows = await self.rows("reach_trusts_across_accounts", accountId=account_id)
        return [CrossAccountTrustRecord.from_row(row) for row in rows]

    async def account_resources(self, account_id: str | None) -> list[ResourceRecord]:
        if account_id is None:
            rows = await self.rows("reach_resources_all")
        else:
            rows = await self.rows("reach_resources_account", accountId=account_id)
        return [ResourceRecord.from_row(row) for row in rows]

    async def resources(self, arns: Sequence[str]) -> list[ResourceRecord]:
        return [ResourceRecord.from_row(row) for row in await self.rows("reach_resources", arns=list(arns))]

    async def role_usage(self, account_id: str | None) -> list[RoleUsageRecord]:
        """The audit's read of RoleLastUsed (#16), for one account or every one (None)."""
        rows = await self.value_rows("reach_role_usage", accountId=account_id)
        return [RoleUsageRecord.from_row(role) for row in rows for role in row["roles"]]

    async def security_loads(self) -> list[SecurityLoadRecord]:
        """The audit's load markers of the security data (#16): its findings are remembered until they change."""
        rows = await self.value_rows("reach_security_loads")
        return [SecurityLoadRecord.from_row(marker) for row in rows for marker in row["markers"]]

    # -- the principal index of several accounts in one query each (service/audit/organization.py) --------

    async def organization_principals(self, account_ids: Sequence[str]) -> dict[str, list[PrincipalRecord]]:
        rows = await self.value_rows("reach_organization_principals", accountIds=list(account_ids))
        return {
            str(row["accountId"]): sorted((PrincipalRecord.from_row(p) for p in row["principals"]), key=_by_arn)
            for row in rows
        }

    async def organization_groups(self, account_ids: Sequence[str]) -> dict[str, list[GroupRecord]]:
        rows = await self.value_rows("reach_organization_groups", accountIds=list(account_ids))
        return {
            str(row["accountId"]): sorted((GroupRecord.from_row(g) for g in row["groups"]), key=_by_arn) for row in rows
        }

    async def organization_policies(self, account_ids: Sequence[str]) -> dict[str, list[PolicyRecord]]:
        """Each account's policies as `account_policies` reads them, without AWS managed policies' documents
        (the same in every account: `policy_documents` reads them once)."""
        rows = await self.value_rows("reach_organization_policies", accountIds=list(account_ids))
        return {str(row["accountId"]): [PolicyRecord.from_row(p) for p in row["policies"]] for row in rows}

    async def account_security(self, account_id: str | None) -> list[AccountSecurityRecord]:
        query = "reach_security" if account_id is None else "reach_security_account"  # (the latter by the indexes)
        return account_security_records(await self.value_rows(query, accountId=account_id))


async def _collect(tx: neo4j.AsyncManagedTransaction, text: str, parameters: dict[str, Any]) -> list[Row]:
    result = await tx.run(text, parameters)  # text comes from cypher/, never from users
    keys = result.keys()
    rows = []
    async for record in result:
        try:
            rows.append(dict(zip(keys, map(_plain, record.values()), strict=True)))
        except _NotPlain:  # a node, a relationship, a temporal value: the driver's own export
            rows.append(record.data())
    return rows


class _NotPlain(Exception):
    pass


_SCALARS = frozenset((str, int, float, bool, bytes, bytearray, type(None)))  # (bytes: a byte array property)


def _plain(value: Any) -> Any:
    """What `Record.data()` makes of a scalar, list or map (nearly all that cypher/ returns), without its
    generic isinstance walk over every value: that walk was a tenth of an organization-wide review at 100k
    principals."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_plain(item) for item in value]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}
    raise _NotPlain


async def _collect_values(tx: neo4j.AsyncManagedTransaction, text: str, parameters: dict[str, Any]) -> list[Row]:
    result = await tx.run(text, parameters)  # text comes from cypher/, never from users
    keys = result.keys()
    return [dict(zip(keys, record.values(), strict=True)) async for record in result]


_Collector = Callable[[neo4j.AsyncManagedTransaction, str, dict[str, Any]], Awaitable[list[Row]]]


def _timed_out(exc: Exception) -> bool:
    if not isinstance(exc, Neo4jError):
        return False
    code = exc.code or ""
    # A transient "terminated" is how an older server reports the transaction timeout.
    terminated = code.startswith("Neo.TransientError") and "terminated" in (exc.message or "").lower()
    return "Timeout" in code or "TimedOut" in code or terminated


def _by_arn(record: PrincipalRecord | GroupRecord) -> str:
    """The order principals and groups are read in: by ARN, not the store's (which a reload of the same files
    changes, and with it which of several equal paths an answer shows first)."""
    return record.arn


def read_apart(settings: Neo4jSettings, work: Callable[[GraphReader], Awaitable[T]], timeout: float) -> T:
    """`work` with a reader of its own, run to its end in a thread with its own event loop: for the loader's
    steps after its writes, which may be called where an event loop runs already (a library caller, the
    explorer's tests under Playwright), and asyncio.run refuses to start a second one in the same thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def run() -> T:
        reader = GraphReader(settings, timeout=timeout)
        try:
            return await work(reader)
        finally:
            await reader.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()
