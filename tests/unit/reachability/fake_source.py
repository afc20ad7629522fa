"""A `GraphSource` fed with records made in the test: reachability with no database at all.

`FakeSource` answers every `reach_*` read from the accounts, organizations and roles it was given, as the
queries do (cypher/reach_*.cypher); a trust policy's TRUSTS targets come from the loader's own pure
transform (loaders/trust.py), resolved against the accounts given, as the graph resolves them.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from loaders.trust import trust_rows
from service.database.records import (
    AccountOrganizationRecord,
    AccountSecurityRecord,
    CrossAccountTrustRecord,
    GroupRecord,
    LoadRecord,
    OrganizationRecord,
    OrgLevelRecord,
    OrgPolicyRecord,
    PolicyRecord,
    PrincipalRecord,
    ResourceRecord,
    RoleRecord,
    SecurityLoadRecord,
    TargetKind,
    TrustTargetRecord,
)
from service.evaluation import parse_policy

AWS_MANAGED = "arn:aws:iam::aws:policy/"
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine's result, from an event loop of its own in a thread of its own: a test run earlier in
    the session (Playwright's sync API) may leave a loop running in the main thread."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trusting(principal: Any, *, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole", **extra}


@dataclass
class FakeAccount:
    """One account as the graph holds it after a load."""

    id: str
    load_id: str = "load-1"
    principals: dict[str, PrincipalRecord] = field(default_factory=dict)
    groups: dict[str, GroupRecord] = field(default_factory=dict)
    policies: dict[str, PolicyRecord] = field(default_factory=dict)
    trust_policies: dict[str, str] = field(default_factory=dict)  # role ARN → document

    def arn(self, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.id}:{kind}/{name}"

    def policy(self, name: str, *statements: dict[str, Any], version: str = "v1") -> str:
        arn = self.arn("policy", name)
        self.policies[arn] = PolicyRecord(arn, name, "customer", True, version, document(*statements))
        return arn

    def aws_policy(self, name: str, *statements: dict[str, Any], version: str = "v1") -> str:
        arn = AWS_MANAGED + name
        self.policies[arn] = PolicyRecord(arn, name, "aws", True, version, document(*statements))
        return arn

    def missing_policy(self, name: str) -> str:
        """An AWS managed policy the data references but does not contain."""
        arn = AWS_MANAGED + name
        self.policies[arn] = PolicyRecord(arn, name, "aws", False, None, None)
        return arn

    def group(self, name: str, policies: Sequence[str] = ()) -> str:
        arn = self.arn("group", name)
        self.groups[arn] = GroupRecord(arn, name, tuple(policies))
        return arn

    def user(
        self,
        name: str,
        policies: Sequence[str] = (),
        *,
        groups: Sequence[str] = (),
        boundary: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        arn = self.arn("user", name)
        self.principals[arn] = PrincipalRecord(
            arn, "user", name, f"AIDA{name.upper()}", tags or {}, False, boundary, tuple(policies), tuple(groups)
        )
        return arn

    def role(
        self,
        name: str,
        policies: Sequence[str] = (),
        *,
        trust: dict[str, Any] | None = None,
        boundary: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        arn = self.arn("role", name)
        self.principals[arn] = PrincipalRecord(
            arn, "role", name, f"AROA{name.upper()}", tags or {}, False, boundary, tuple(policies), ()
        )
        statements = [trust] if trust is not None else [trusting({"Service": "ec2.amazonaws.com"})]
        self.trust_policies[arn] = document(*statements)
        return arn


@dataclass
class FakeOrganization:
    """An organization: its id, management account, and the SCPs/RCPs per level (root, OUs, account)."""

    id: str
    management_account: str
    accounts: dict[str, list[str]] = field(default_factory=dict)  # account → level ids, root first
    policies: dict[str, list[OrgPolicyRecord]] = field(default_factory=dict)  # level id → policies
    load_id: str = "org-load-1"

    def attach(self, level: str, name: str, *statements: dict[str, Any], kind: str = "SERVICE_CONTROL_POLICY") -> None:
        policy = OrgPolicyRecord(f"p-{name}", name, kind, document(*statements))
        self.policies.setdefault(level, []).append(policy)


class FakeSource:
    """Every read the reachability code makes, answered from plain data; `reads` counts them by name."""

    def __init__(
        self,
        *accounts: FakeAccount,
        organization: FakeOrganization | None = None,
        resources: Sequence[ResourceRecord] = (),
        security: Sequence[AccountSecurityRecord] = (),
    ) -> None:
        self.accounts = {account.id: account for account in accounts}
        self.organization = organization
        self.resource_records = {record.arn: record for record in resources}
        self.security = tuple(security)
        self.reads: Counter[str] = Counter()

    def _principal(self, arn: str) -> PrincipalRecord | None:
        for account in self.accounts.values():
            if arn in account.principals:
                return account.principals[arn]
        return None

    async def roles(self, arns: Sequence[str]) -> list[RoleRecord]:
        self.reads["roles"] += 1
        found = []
        for arn in arns:
            for account in self.accounts.values():
                if arn in account.trust_policies:
                    record = account.principals[arn]
                    found.append(RoleRecord(arn, record.name, account.id, account.trust_policies[arn]))
        return found

    async def loads(self) -> list[LoadRecord]:
        self.reads["loads"] += 1
        found = [LoadRecord("account", a.id, a.load_id) for a in self.accounts.values()]
        if self.organization is not None:
            found.append(LoadRecord("organization", self.organization.id, self.organization.load_id))
        by_account: dict[str, list[ResourceRecord]] = {}
        for record in self.resource_records.values():
            by_account.setdefault(record.account_id, []).append(record)
        for account_id, records in sorted(by_account.items()):  # a changed resource set is a new resource load
            found.append(LoadRecord("resources", account_id, str(hash(repr(sorted(records, key=lambda r: r.arn))))))
        return found

    async def account_principals(self, account_id: str) -> list[PrincipalRecord]:
        self.reads["account_principals"] += 1
        return list(self.accounts[account_id].principals.values())

    async def account_groups(self, account_id: str) -> list[GroupRecord]:
        self.reads["account_groups"] += 1
        return list(self.accounts[account_id].groups.values())

    async def account_policies(self, account_id: str, cached: Sequence[str]) -> list[PolicyRecord]:
        self.reads["account_policies"] += 1
        account = self.accounts[account_id]
        used = {arn for p in account.principals.values() for arn in (*p.policies, p.boundary) if arn}
        used |= {arn for g in account.groups.values() for arn in g.policies}
        found = []
        for arn in sorted(used):
            record = self._aws_policy(arn) if arn.startswith(AWS_MANAGED) else account.policies.get(arn)
            if record is None:
                continue  # no node: the principal holds an unknown policy
            if arn in cached:
                record = PolicyRecord(record.arn, record.name, record.kind, record.known, record.version_id, None)
            found.append(record)
        return found

    def _aws_policy(self, arn: str) -> PolicyRecord | None:
        """AWS managed policies are global nodes: every account sees the latest version any load wrote."""
        found = [a.policies[arn] for a in self.accounts.values() if arn in a.policies]
        return max(found, key=lambda record: record.version_id or "") if found else None

    async def policy_documents(self, arns: Sequence[str]) -> list[PolicyRecord]:
        self.reads["policy_documents"] += 1
        return [record for arn in arns if (record := self._aws_policy(arn)) is not None]

    async def account_organizations(self, account_ids: Sequence[str]) -> list[OrganizationRecord]:
        self.reads["account_organizations"] += 1
        org = self.organization
        found = []
        for account in account_ids:
            if account not in self.accounts and (org is None or account not in org.accounts):
                continue
            if org is None or account not in org.accounts:
                found.append(OrganizationRecord(account, account in self.accounts, None, None))
                continue
            levels = tuple(OrgLevelRecord(level, tuple(org.policies.get(level, ()))) for level in org.accounts[account])
            found.append(OrganizationRecord(account, account in self.accounts, org.id, org.management_account, levels))
        return found

    async def account_organization_ids(self) -> list[AccountOrganizationRecord]:
        self.reads["account_organization_ids"] += 1
        org = self.organization
        return [] if org is None else [AccountOrganizationRecord(account, org.id) for account in org.accounts]

    async def role(self, arn: str) -> RoleRecord | None:
        self.reads["role"] += 1
        for account in self.accounts.values():
            if arn in account.trust_policies:
                record = account.principals[arn]
                return RoleRecord(arn, record.name, account.id, account.trust_policies[arn])
        return None

    def _targets(self, role_arn: str) -> list[tuple[Any, TargetKind, str, bool]]:
        account = next(a for a in self.accounts.values() if role_arn in a.trust_policies)
        policy = parse_policy(account.trust_policies[role_arn], name="trust", kind="resource")
        names = {p.name: p.arn for p in account.principals.values() if p.kind == "role"}
        found: list[tuple[Any, TargetKind, str, bool]] = []
        for row in trust_rows(role_arn, policy, role_arns_by_name=names):
            kind: TargetKind
            if row.target_kind == "account":
                kind, loaded = "account", row.target in self.accounts
            elif row.target_kind == "external":
                kind, loaded = "external", False
            else:
                principal = self._principal(row.target)
                kind = "placeholder" if principal is None else principal.kind
                loaded = principal is not None
            found.append((row, kind, row.target, loaded))
        return found

    async def trust_targets_of(self, role_arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        self.reads["trust_targets_of"] += 1
        found: dict[str, list[TrustTargetRecord]] = {}
        for arn in role_arns:
            if any(arn in account.trust_policies for account in self.accounts.values()):
                targets = await self.trust_targets(arn)  # (a subclass's override applies to both)
                self.reads["trust_targets"] -= 1
                if targets:
                    found[arn] = targets
        return found

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        self.reads["trust_targets"] += 1
        return [
            TrustTargetRecord(
                row.statement_index,
                row.sid,
                row.effect,
                row.not_principal,
                row.principal,
                kind,
                target,
                loaded,
                row.external_kind,
                row.external_value,
            )
            for row, kind, target, loaded in self._targets(role_arn)
        ]

    async def trusts_across_accounts(self, account_id: str | None) -> list[CrossAccountTrustRecord]:
        self.reads["trusts_across_accounts"] += 1
        found = []
        for account in self.accounts.values():
            if account_id is not None and account.id != account_id:
                continue
            for role_arn, trust in sorted(account.trust_policies.items()):
                for row, kind, target, _ in self._targets(role_arn):
                    trusted = row.target_account_id
                    if row.effect != "Allow" or (row.external_kind == "service"):
                        continue
                    if not (row.not_principal or trusted is None or trusted != account.id):
                        continue
                    found.append(
                        CrossAccountTrustRecord(
                            role_arn,
                            role_arn.rsplit("/", 1)[1],
                            account.id,
                            trust,
                            row.statement_index,
                            row.sid,
                            row.effect,
                            row.not_principal,
                            row.conditions,
                            kind,
                            target,
                            None,
                            row.external_kind,
                            row.external_value,
                            trusted,
                            trusted is not None and trusted in self.accounts,
                        )
                    )
        return found

    async def account_resources(self, account_id: str | None) -> list[ResourceRecord]:
        self.reads["account_resources"] += 1
        return [
            record
            for arn, record in sorted(self.resource_records.items())
            if account_id is None or record.account_id == account_id
        ]

    async def resources(self, arns: Sequence[str]) -> list[ResourceRecord]:
        """As `reach_resources`: exact ARNs, a KMS alias ARN finds its key, each record once, by ARN."""
        self.reads["resources"] += 1
        wanted = set(arns)
        return [
            record
            for arn, record in sorted(self.resource_records.items())
            if arn in wanted or wanted.intersection(record.aliases)
        ]

    async def account_security(self, account_id: str | None) -> list[AccountSecurityRecord]:
        self.reads["account_security"] += 1
        found = [record for record in self.security if account_id is None or record.account_id == account_id]
        return sorted(found, key=lambda record: record.account_id)

    async def security_loads(self) -> list[SecurityLoadRecord]:
        self.reads["security_loads"] += 1
        return [SecurityLoadRecord(record.account_id, "report", str(id(record)), record.report_time)
                for record in self.security]
