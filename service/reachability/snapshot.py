"""The users and roles of every loaded account, held in memory and refreshed per account load: the only
module that reads the graph (through a `GraphSource`).

`whoCan` over an organization considers every user and role holding a policy that may allow the action: up
to a hundred thousand principals. Reading their profiles from Neo4j for each question costs seconds of
Bolt transfer, so the process keeps them, one `AccountEntry` per loaded account, tagged with the `loadId`
every load of that account writes. Each question first reads the generation (the short list of load ids,
`reach_generation`) and refreshes exactly the accounts whose id changed, appeared or vanished;
organizations likewise. An answer is therefore never computed from a load the graph no longer holds, and a
replica needs no coordination: it converges on whatever the graph says.

AWS managed policies are global: their documents are kept across accounts by ARN and version id.
Customer managed and inline policies belong to their account and are read again with it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import NamedTuple

from service.database.records import CrossAccountTrustRecord, TrustTargetRecord
from service.database.source import GraphSource
from service.reachability.profiles import AccountEntry, OrgContext, PolicyRef, Profile, Role

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True)
class LoadIds:
    """The loads a graph holds, hashable: equal exactly when the graph holds the same loads."""

    accounts: frozenset[tuple[str, str]]
    organizations: frozenset[tuple[str, str]]
    resources: frozenset[tuple[str, str]] = frozenset()


@dataclass
class Generation:
    """The load ids the graph holds: account id → load id, organization id → load id, and each account's
    resource snapshot (#14)."""

    accounts: dict[str, str] = field(default_factory=dict)
    organizations: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)  # account id → load id of its resource snapshot

    @cached_property
    def key(self) -> LoadIds:
        return LoadIds(
            frozenset(self.accounts.items()), frozenset(self.organizations.items()), frozenset(self.resources.items())
        )


class Accounts(NamedTuple):
    """Entries read for a question, and the snapshot's revision they belong to."""

    entries: dict[str, AccountEntry]
    revision: int


@dataclass(frozen=True)
class _AwsPolicy:
    version_id: str | None
    ref: PolicyRef


@dataclass(frozen=True)
class TrustStatements:
    """What the trust review reads: every trust statement principal that may reach outside its role's
    account, and the organization of every account of a loaded organization."""

    organizations: dict[str, str]
    records: list[CrossAccountTrustRecord]


class AccountSnapshot:
    """Process-wide, shared by every request of an app (or a CLI run). Safe for concurrent requests.

    `revision` grows whenever an entry is read again or dropped; `rebinds` whenever an organization load
    rebinds every account to new organization contexts (what was worked out of the old ones is void)."""

    def __init__(self) -> None:
        self._accounts: dict[str, AccountEntry] = {}
        self._organizations: dict[str, str] = {}
        self._orgs: dict[str, OrgContext] = {}
        self._aws_policies: dict[str, _AwsPolicy] = {}
        self._lock = asyncio.Lock()
        self.revision = 0
        self.rebinds = 0

    @property
    def entries(self) -> list[AccountEntry]:
        return list(self._accounts.values())

    async def generation(self, source: GraphSource) -> Generation:
        """The graph's load ids now; drops what the graph no longer holds and organization contexts that
        an organization load (or an account appearing) may have changed."""
        found = Generation()
        for load in await source.loads():
            if load.unit == "account":
                found.accounts[load.id] = load.load_id
            elif load.unit == "resources":
                found.resources[load.id] = load.load_id  # answers are remembered per key: a resource load renews them
            else:
                found.organizations[load.id] = load.load_id
        async with self._lock:
            if found.organizations != self._organizations or set(found.accounts) != set(self._accounts):
                self._orgs.clear()
                self._organizations = dict(found.organizations)
            for account in [a for a, entry in self._accounts.items() if found.accounts.get(a) != entry.load_id]:
                del self._accounts[account]
                self.revision += 1
            if not self._accounts:
                self._aws_policies.clear()
        return found

    async def accounts(
        self, source: GraphSource, generation: Generation, account_ids: Iterable[str] | None = None
    ) -> Accounts:
        """Entries for the wanted loaded accounts (all loaded accounts when None), read where missing."""
        held = generation.accounts
        wanted = list(held) if account_ids is None else [a for a in dict.fromkeys(account_ids) if a in held]
        if all(self._is_current(account, held[account]) for account in wanted):
            # Nothing to read: no need to queue behind another question's refresh.
            return Accounts({account: self._accounts[account] for account in wanted}, self.revision)
        async with self._lock:
            # Reading one account may drop others (a changed AWS managed policy): loop until all are current.
            read = False
            while outdated := [a for a in wanted if getattr(self._accounts.get(a), "load_id", None) != held[a]]:
                for account in outdated:
                    self._accounts[account] = await self._read_account(source, account, held[account])
                    self.revision += 1
                    read = True
            if read:
                freeze()
            # An organization load changes the SCPs of accounts that were not loaded again: rebind them.
            if rebind := [a for a in wanted if a not in self._orgs]:
                await self._read_orgs(source, rebind)
            for account in wanted:
                entry = self._accounts[account]
                if entry.org is not self._orgs[account]:
                    self._accounts[account] = _rebound(entry, self._orgs[account])
                    self.revision += 1
                    self.rebinds += 1
            return Accounts({account: self._accounts[account] for account in wanted}, self.revision)

    def _is_current(self, account: str, load_id: str) -> bool:
        entry = self._accounts.get(account)
        return entry is not None and entry.load_id == load_id and entry.org is self._orgs.get(account)

    async def org_contexts(self, source: GraphSource, account_ids: Iterable[str]) -> dict[str, OrgContext]:
        ids = [account for account in dict.fromkeys(account_ids) if account]
        async with self._lock:
            if missing := [account for account in ids if account not in self._orgs]:
                await self._read_orgs(source, missing)
            return {account: self._orgs[account] for account in ids}

    async def role(self, source: GraphSource, arn: str) -> Role | None:
        """The role `arn` with its trust policy and its account's organization context (None: no such role)."""
        record = await source.role(arn)
        if record is None:
            return None
        return Role.from_record(record, (await self.org_contexts(source, [record.account_id]))[record.account_id])

    async def roles(self, source: GraphSource, arns: Sequence[str]) -> dict[str, Role]:
        """`role` for many, in one read: the roles found, by ARN."""
        records = await source.roles(arns) if arns else []
        orgs = await self.org_contexts(source, sorted({record.account_id for record in records}))
        return {record.arn: Role.from_record(record, orgs[record.account_id]) for record in records}

    async def _read_orgs(self, source: GraphSource, account_ids: list[str]) -> None:
        for record in await source.account_organizations(account_ids):
            self._orgs[record.account_id] = OrgContext.from_record(record)
        for account in account_ids:
            self._orgs.setdefault(account, OrgContext.outside(account))

    async def _read_account(self, source: GraphSource, account_id: str, load_id: str) -> AccountEntry:
        # The lock is held: one refresh of an account at a time, and the org contexts are ours to fill.
        principals = await source.account_principals(account_id)
        groups = {group.arn: group for group in await source.account_groups(account_id)}
        policies = await self._read_policies(source, account_id)
        if account_id not in self._orgs:
            await self._read_orgs(source, [account_id])
        org = self._orgs[account_id]

        def policy(arn: str) -> PolicyRef:
            if arn not in policies:
                policies[arn] = PolicyRef.unknown(arn)
            return policies[arn]

        profiles: dict[str, Profile] = {}
        holders: dict[str, list[str]] = {}
        # A group's policies as its members hold them (`via` the group): one list per group, shared by its
        # members, not a new reference per member and policy (at 100k principals, hundreds of thousands).
        through: dict[str, list[PolicyRef]] = {}
        for record in principals:
            refs = [policy(p) for p in record.policies]
            for group_arn in record.groups:
                inherited = through.get(group_arn)
                if inherited is None:
                    group = groups.get(group_arn)
                    if group is None:
                        continue
                    inherited = through[group_arn] = [
                        PolicyRef(ref.arn, ref.name, ref.kind, ref.known, ref.document, group_arn, group.name)
                        for ref in map(policy, group.policies)
                    ]
                refs += inherited
            for held in dict.fromkeys(ref.arn for ref in refs):
                holders.setdefault(held, []).append(record.arn)
            profiles[record.arn] = Profile(
                arn=record.arn,
                kind=record.kind,
                name=record.name,
                account_id=account_id,
                unique_id=record.unique_id,
                tags=record.tags,
                is_service_linked=record.is_service_linked,
                policies=tuple(refs),
                boundary=policy(record.boundary) if record.boundary else None,
                org=org,
            )
        return AccountEntry(load_id, org, profiles, policies, {arn: tuple(who) for arn, who in holders.items()})

    async def _read_policies(self, source: GraphSource, account_id: str) -> dict[str, PolicyRef]:
        """The account's policies. An AWS managed policy whose version changed (any account's load may
        rewrite the global node) also drops the other accounts that hold it: they are read again."""
        records = await source.account_policies(account_id, list(self._aws_policies))
        found: dict[str, PolicyRef] = {}
        stale: list[str] = []
        versions: dict[str, str | None] = {}
        for record in records:
            versions[record.arn] = record.version_id
            held = self._aws_policies.get(record.arn)
            if held is not None and record.document is None and record.known:
                if held.version_id == record.version_id:
                    found[record.arn] = held.ref
                else:
                    stale.append(record.arn)
                continue
            found[record.arn] = PolicyRef.from_record(record)
        if stale:
            for record in await source.policy_documents(stale):
                found[record.arn] = PolicyRef.from_record(record)
        changed: set[str] = set()
        for arn, ref in found.items():
            if not arn.startswith(AWS_MANAGED_PREFIX):
                continue
            held = self._aws_policies.get(arn)
            if held is not None and held.ref is not ref:
                changed.add(arn)
            if ref.known:
                self._aws_policies[arn] = _AwsPolicy(versions.get(arn), ref)
            else:
                self._aws_policies.pop(arn, None)
        for other in [a for a, entry in self._accounts.items() if a != account_id and changed & entry.policies.keys()]:
            del self._accounts[other]
            self.revision += 1
        return found


async def trust_targets(source: GraphSource, role_arn: str) -> list[TrustTargetRecord]:
    """Everything the role's trust policy names (one record per TRUSTS edge)."""
    return await source.trust_targets(role_arn)


async def trust_statements(source: GraphSource, account_id: str | None) -> TrustStatements:
    organizations = {record.account_id: record.organization_id for record in await source.account_organization_ids()}
    return TrustStatements(organizations, await source.trusts_across_accounts(account_id))


def freeze() -> None:
    """The snapshot is long-lived and large: keep the cyclic garbage collector from walking it on every full
    collection (a quarter of a second at 15k principals, on whichever question triggers it)."""
    gc.collect(1)
    gc.freeze()


def _rebound(entry: AccountEntry, org: OrgContext) -> AccountEntry:
    profiles = {arn: replace(profile, org=org) for arn, profile in entry.profiles.items()}
    return replace(entry, org=org, profiles=profiles)
