"""The audit of the loaded accounts: reads what the checks need and runs them, account by account.

The users, their policies and their groups come from the principal index every question shares (read once
per load; the accounts it lacks in one query per kind of record, see organization.py); the security records
and the roles' RoleLastUsed in one query each, collected per account. Nothing is read per principal or per
account: an organization of 100k principals costs about ten queries (docs/audit.md, "Cost").
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, overload

from service.audit.admin import CUSTOMER_KINDS, AdminPolicy, admin_policies, evaluator_admins, may_allow_everything
from service.audit.checks import AccountFacts, UserFacts, audit_account
from service.audit.model import Audit, AuditSettings, Finding, Unchecked
from service.audit.organization import organization_view
from service.database.records import AccountSecurityRecord, RoleUsageRecord, SecurityLoadRecord
from service.database.source import GraphSource
from service.errors import QueryError
from service.reachability.answers import remembered
from service.reachability.index import IndexView
from service.reachability.profiles import AccountEntry, parsed
from service.reachability.questions import Reachability

NO_GAAD = "no authorization details (GAAD) loaded for account {account}"
GRAPH_CATEGORIES = ("user-with-direct-policies", "unused-role", "admin-policy-customer", "admin-without-mfa")


class AuditSource(GraphSource, Protocol):
    """A GraphSource that also reads the roles' RoleLastUsed (`GraphReader` is one)."""

    async def role_usage(self, account_id: str | None) -> list[RoleUsageRecord]: ...

    async def security_loads(self) -> list[SecurityLoadRecord]: ...


# An admin definition: which of the given principals of the account are administrators, and why.
AdminDefinition = Callable[[AccountEntry, Collection[str]], Awaitable[Mapping[str, str]]]


@dataclass(frozen=True)
class Findings:
    """The audit as a question the answer cache remembers."""

    account_id: str | None
    settings: AuditSettings
    security_loads: frozenset[SecurityLoadRecord]  # a security load leaves the generation as it was


async def findings(
    reachability: Reachability, source: AuditSource, account_id: str | None, settings: AuditSettings
) -> Audit:
    """The audit, remembered per generation and settings like the other questions (their clock included:
    the API passes one truncated to the minute, so the pages of one listing share one audit). `source` is
    the reachability's own source, typed as the AuditSource it also is."""
    view = reachability.view
    audits = await remembered(
        reachability.index.answers,
        (await view.generation()).key,
        Findings(account_id, settings, frozenset(await source.security_loads())),
        lambda: _one(audit(view, source, account_id, settings)),
    )
    return audits[0]


class _Remembered(Sequence[Audit]):
    """The audit as the answer cache holds answers: a sequence (of one audit) whose length is its number of
    findings, so that the cache's bound on the items it holds counts them."""

    __slots__ = ("_audit",)

    def __init__(self, audit: Audit) -> None:
        self._audit = audit

    @overload
    def __getitem__(self, index: int) -> Audit: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Audit]: ...
    def __getitem__(self, index: int | slice) -> Audit | Sequence[Audit]:
        return (self._audit,)[index]

    def __len__(self) -> int:
        return max(1, len(self._audit.findings) + len(self._audit.unchecked))


async def _one(result: Awaitable[Audit]) -> _Remembered:
    return _Remembered(await result)


async def audit(
    view: IndexView,
    source: AuditSource,
    account_id: str | None,
    settings: AuditSettings,
    admins: AdminDefinition | None = None,
) -> Audit:
    """Every finding of `account_id` (every loaded account when None), most severe first.

    Raises:
        QueryError: `account_id` names an account with nothing loaded.
    """
    generation = await view.generation()
    graph_accounts = [account_id] if account_id is not None else list(generation.accounts)
    # Concurrently: while the driver decodes one answer, the server works out the next.
    security_records, entries, role_records = await asyncio.gather(
        source.account_security(account_id), _entries(view, graph_accounts), source.role_usage(account_id)
    )
    security = {record.account_id: record for record in security_records}
    accounts = sorted(set(entries) | set(security))
    if account_id is not None and not accounts:
        raise QueryError(f"account {account_id!r} is not loaded: nothing to audit")
    define = admins or evaluator_admins
    roles: dict[str, list[RoleUsageRecord]] = {}
    for role in role_records:
        roles.setdefault(role.account_id, []).append(role)
    found: list[Finding] = []
    unchecked: list[Unchecked] = []
    for account in accounts:
        entry = entries.get(account)
        if entry is None:
            record = security.get(account)
            facts = AccountFacts(account, record, admins={}, not_collected=_not_collected(record))
            reason = NO_GAAD.format(account=account)
            unchecked += [Unchecked(category, account, reason) for category in GRAPH_CATEGORIES]
        else:
            record = security.get(account)
            users = users_of(entry)
            facts = AccountFacts(
                account,
                record,
                users=users,
                roles=roles.get(account, ()),
                admins=await define(entry, _without_mfa(users, record)),
                admin_policies=customer_admin_policies(entry),
                not_collected=_not_collected(record),
            )
        result = audit_account(facts, settings)
        found += result.findings
        unchecked += result.unchecked
    return Audit(tuple(sorted(found, key=lambda f: f.order)), tuple(unchecked))


async def _entries(view: IndexView, account_ids: list[str]) -> dict[str, AccountEntry]:
    return await (await organization_view(view, account_ids)).entries(account_ids)


def users_of(entry: AccountEntry) -> list[UserFacts]:
    return [
        UserFacts(profile.arn, profile.name, tuple(dict.fromkeys(r.arn for r in profile.policies if r.via is None)))
        for profile in entry.profiles.values()
        if profile.kind == "user"
    ]


def customer_admin_policies(entry: AccountEntry) -> list[AdminPolicy]:
    loaded = [
        (ref.arn, ref.name, ref.kind, parsed(ref))
        for ref in entry.policies.values()
        if ref.loaded and ref.kind in CUSTOMER_KINDS and ref.document and may_allow_everything(ref.document)
    ]
    return admin_policies(loaded, entry.holders)


def _not_collected(record: AccountSecurityRecord | None) -> Mapping[str, str]:
    return {} if record is None else record.not_collected


def _without_mfa(users: Sequence[UserFacts], record: AccountSecurityRecord | None) -> set[str]:
    """The users admin-without-mfa asks about: those the loaded data does not show with MFA (none when no
    credential data is loaded: the check cannot run then). Only they are weighed by the admin definition,
    which costs an evaluation per principal whose grants hang on a condition."""
    if record is None:
        return set()
    with_mfa = {user.arn for user in record.users if user.mfa_active}
    return {user.arn for user in users if user.arn not in with_mfa}
