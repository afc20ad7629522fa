"""The principal index of a whole organization, read in a few queries instead of a few per account.

The index (service/reachability/snapshot.py) reads an account it does not hold with three queries and its
organization context with a fourth: at 100 accounts of 1,000 principals each that is 400 queries and 100k
rows, most of the audit's time. `OrganizationReads` is a `GraphSource` for the index that answers those
per-account reads, for the accounts the index lacks, from one query each over all of them (rows collected
per account), and passes every other read through. The index builds its entries exactly as before, keeps
them, and later questions use them: it is the index that is filled, not a second one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

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
    SecurityLoadRecord,
    TrustTargetRecord,
)
from service.database.source import GraphSource
from service.reachability.index import IndexView

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


@runtime_checkable
class OrganizationSource(GraphSource, Protocol):
    """A GraphSource that also reads the index's per-account records of many accounts at once (`GraphReader`)."""

    async def organization_principals(self, account_ids: Sequence[str]) -> dict[str, list[PrincipalRecord]]: ...

    async def organization_groups(self, account_ids: Sequence[str]) -> dict[str, list[GroupRecord]]: ...

    async def organization_policies(self, account_ids: Sequence[str]) -> dict[str, list[PolicyRecord]]:
        """As `account_policies` with nothing cached, but without AWS managed policies' documents."""
        ...


async def organization_view(view: IndexView, account_ids: Collection[str]) -> IndexView:
    """A view of the same index that reads the accounts of `account_ids` it does not hold in one go (`view`
    itself when it holds them all but one, or when its source cannot read many accounts at once)."""
    source = view.source
    if not isinstance(source, OrganizationSource):
        return view
    generation = await view.generation()
    held = {entry.load_id for entry in view.index.snapshot.entries}
    missing = [a for a in account_ids if a in generation.accounts and generation.accounts[a] not in held]
    if len(missing) < 2:
        return view
    return view.index.view(OrganizationReads(source, missing))


@dataclass(frozen=True)
class _Read:
    principals: dict[str, list[PrincipalRecord]]
    groups: dict[str, list[GroupRecord]]
    policies: dict[str, list[PolicyRecord]]
    aws_documents: dict[str, PolicyRecord]
    organizations: dict[str, OrganizationRecord]


class OrganizationReads:
    """A GraphSource answering the index's reads of `accounts` from one query each (read on the first
    of them), and every other read from `source`."""

    def __init__(self, source: OrganizationSource, accounts: Collection[str]) -> None:
        self._source = source
        self._accounts = frozenset(accounts)
        self._read: _Read | None = None

    async def _of(self, account_ids: Collection[str]) -> _Read | None:
        if not account_ids or not self._accounts.issuperset(account_ids):
            return None
        if self._read is None:
            accounts = sorted(self._accounts)
            principals, groups, policies, organizations = await asyncio.gather(
                self._source.organization_principals(accounts),
                self._source.organization_groups(accounts),
                self._source.organization_policies(accounts),
                self._source.account_organizations(accounts),
            )
            aws = sorted({p.arn for found in policies.values() for p in found if p.arn.startswith(AWS_MANAGED_PREFIX)})
            self._read = _Read(
                principals,
                groups,
                policies,
                {record.arn: record for record in await self._source.policy_documents(aws)} if aws else {},
                {record.account_id: record for record in organizations},
            )
        return self._read

    async def account_principals(self, account_id: str) -> list[PrincipalRecord]:
        read = await self._of([account_id])
        return read.principals.get(account_id, []) if read else await self._source.account_principals(account_id)

    async def account_groups(self, account_id: str) -> list[GroupRecord]:
        read = await self._of([account_id])
        return read.groups.get(account_id, []) if read else await self._source.account_groups(account_id)

    async def account_policies(self, account_id: str, cached: Sequence[str]) -> list[PolicyRecord]:
        read = await self._of([account_id])
        if read is None:
            return await self._source.account_policies(account_id, cached)
        held = set(cached)
        return [
            replace(record, document=None) if record.arn in held else read.aws_documents.get(record.arn, record)
            for record in read.policies.get(account_id, [])
        ]

    async def account_organizations(self, account_ids: Sequence[str]) -> list[OrganizationRecord]:
        read = await self._of(account_ids)
        if read is None:
            return await self._source.account_organizations(account_ids)
        return [read.organizations[a] for a in dict.fromkeys(account_ids) if a in read.organizations]

    async def loads(self) -> list[LoadRecord]:
        return await self._source.loads()

    async def policy_documents(self, arns: Sequence[str]) -> list[PolicyRecord]:
        return await self._source.policy_documents(arns)

    async def account_organization_ids(self) -> list[AccountOrganizationRecord]:
        return await self._source.account_organization_ids()

    async def role(self, arn: str) -> RoleRecord | None:
        return await self._source.role(arn)

    async def roles(self, arns: Sequence[str]) -> list[RoleRecord]:
        return await self._source.roles(arns)

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        return await self._source.trust_targets(role_arn)

    async def trust_targets_of(self, role_arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        return await self._source.trust_targets_of(role_arns)

    async def trusts_across_accounts(self, account_id: str | None) -> list[CrossAccountTrustRecord]:
        return await self._source.trusts_across_accounts(account_id)

    async def account_resources(self, account_id: str | None) -> list[ResourceRecord]:
        return await self._source.account_resources(account_id)

    async def resources(self, arns: Sequence[str]) -> list[ResourceRecord]:
        return await self._source.resources(arns)

    async def account_security(self, account_id: str | None) -> list[AccountSecurityRecord]:
        return await self._source.account_security(account_id)

    async def security_loads(self) -> list[SecurityLoadRecord]:
        return await self._source.security_loads()
