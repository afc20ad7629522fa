"""A past (or present) `World` of history as a `GraphSource`: reachability answers for it exactly as for the
live graph, reading the records the `reach_*` queries would have returned when those loads were the latest.

Both sides of a difference are read this way (the present from each unit's newest load, which is the snapshot
the graph holds): an answer that differs between them differs because the data did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

from loaders.rows import TrustRow
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
from service.history.facts import FactSet
from service.history.store import World


def _principal(body: Mapping[str, Any], kind: str) -> PrincipalRecord:
    return PrincipalRecord(
        arn=body["arn"], kind="user" if kind == "user" else "role", name=body["name"], unique_id=body.get("id"),
        tags=body.get("tags") or {}, is_service_linked=bool(body.get("isServiceLinked")),
        boundary=body.get("boundary"), policies=tuple(body.get("policies") or ()),
        groups=tuple(body.get("groups") or ()),
    )


def _policy(body: Mapping[str, Any]) -> PolicyRecord:
    return PolicyRecord(body["arn"], body.get("name"), body.get("kind"), bool(body.get("known")),
                        body.get("versionId"), body.get("document"))


class FactSource:
    """Every read reachability makes, answered from one `World` of recorded fact sets."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.principals_by_arn: dict[str, PrincipalRecord] = {}
        self.account_of: dict[str, str] = {}
        self.trust: dict[str, str] = {}
        self.roles_by_name: dict[str, dict[str, str]] = {}
        self.policies_by_arn: dict[str, PolicyRecord] = {}
        self._trust_rows: dict[str, list[TrustRow]] = {}
        for account_id, facts in world.accounts.items():
            names = self.roles_by_name.setdefault(account_id, {})
            for kind in ("user", "role"):
                for arn, body in facts.of_kind(kind).items():
                    self.principals_by_arn[arn] = _principal(body, kind)
                    self.account_of[arn] = account_id
                    if kind == "role":
                        self.trust[arn] = body["trustPolicy"]
                        names[body["name"]] = arn
            for arn, body in facts.of_kind("policy").items():
                record = _policy(body)
                held = self.policies_by_arn.get(arn)
                # AWS managed policies are global nodes: the graph holds the latest version any load wrote.
                if held is None or (record.version_id or "") > (held.version_id or ""):
                    self.policies_by_arn[arn] = record
        self.levels = self._organization_levels()

    def _organization_levels(self) -> dict[str, tuple[str, str | None, tuple[OrgLevelRecord, ...]]]:
        """account id → (organization id, management account, levels root first)."""
        found: dict[str, tuple[str, str | None, tuple[OrgLevelRecord, ...]]] = {}
        for org_id, facts in self.world.organizations.items():
            management = next(iter(facts.of_kind("organization").values()), {}).get("managementAccountId")
            parents = {k: v.get("parentId") for k, v in facts.of_kind("orgUnit").items()}
            parents |= {k: v.get("parentId") for k, v in facts.of_kind("orgAccount").items()}
            attached: dict[str, list[OrgPolicyRecord]] = {}
            for body in facts.of_kind("orgPolicy").values():
                for target in body.get("targets") or ():
                    attached.setdefault(target, []).append(
                        OrgPolicyRecord(body["id"], body["name"], body["type"], body["document"])
                    )
            for account_id in facts.of_kind("orgAccount"):
                chain = [account_id]
                while (parent := parents.get(chain[-1])) is not None and len(chain) < 12:
                    chain.append(parent)
                # (a level's policies by id: the order the facts are read in changes between loads, and means
                # nothing; in it, two loads of one organization compared unequal and put every account of
                # the organization at another place: `own_side_changed`, `deciding_otherwise`)
                levels = tuple(
                    OrgLevelRecord(level, tuple(sorted(attached.get(level, ()), key=attrgetter("id"))))
                    for level in reversed(chain)
                )
                found[account_id] = (org_id, management, levels)
        return found

    async def loads(self) -> list[LoadRecord]:
        return [LoadRecord(unit, unit_id, load.id) for (unit, unit_id), load in sorted(self.world.loads.items())]

    def _facts(self, account_id: str) -> FactSet:
        return self.world.accounts.get(account_id) or FactSet.empty("account", account_id)

    async def account_principals(self, account_id: str) -> list[PrincipalRecord]:
        facts = self._facts(account_id)
        return [self.principals_by_arn[arn] for kind in ("user", "role") for arn in facts.of_kind(kind)]

    async def account_groups(self, account_id: str) -> list[GroupRecord]:
        return [
            GroupRecord(arn, body["name"], tuple(body.get("policies") or ()))
            for arn, body in self._facts(account_id).of_kind("group").items()
        ]

    async def account_policies(self, account_id: str, cached: Sequence[str]) -> list[PolicyRecord]:
        facts = self._facts(account_id)
        used = {arn for p in await self.account_principals(account_id) for arn in (*p.policies, p.boundary) if arn}
        used |= {arn for body in facts.of_kind("group").values() for arn in body.get("policies") or ()}
        found = []
        for arn in sorted(used):
            record = self.policies_by_arn.get(arn)
            if record is None:
                continue
            if arn in cached:
                record = PolicyRecord(record.arn, record.name, record.kind, record.known, record.version_id, None)
            found.append(record)
        return found

    async def policy_documents(self, arns: Sequence[str]) -> list[PolicyRecord]:
        return [record for arn in arns if (record := self.policies_by_arn.get(arn)) is not None]

    async def account_organizations(self, account_ids: Sequence[str]) -> list[OrganizationRecord]:
        found = []
        for account_id in account_ids:
            loaded = account_id in self.world.accounts
            placement = self.levels.get(account_id)
            if placement is None:
                if loaded:
                    found.append(OrganizationRecord(account_id, True, None, None))
                continue
            org_id, management, levels = placement
            found.append(OrganizationRecord(account_id, loaded, org_id, management, levels))
        return found

    async def account_organization_ids(self) -> list[AccountOrganizationRecord]:
        return [AccountOrganizationRecord(a, placement[0]) for a, placement in sorted(self.levels.items())]

    async def role(self, arn: str) -> RoleRecord | None:
        if arn not in self.trust:
            return None
        return RoleRecord(arn, self.principals_by_arn[arn].name, self.account_of[arn], self.trust[arn])

    async def roles(self, arns: Sequence[str]) -> list[RoleRecord]:
        return [record for arn in arns if (record := await self.role(arn)) is not None]

    def trust_rows(self, role_arn: str) -> list[TrustRow]:
        """The TRUSTS rows the loader would write for the role (loaders/trust.py, the same pure transform)."""
        if role_arn not in self._trust_rows:
            policy = parse_policy(self.trust[role_arn], name="trust", kind="resource")
            names = self.roles_by_name.get(self.account_of[role_arn], {})
            self._trust_rows[role_arn] = trust_rows(role_arn, policy, role_arns_by_name=names)
        return self._trust_rows[role_arn]

    def target(self, row: TrustRow) -> tuple[TargetKind, str, bool]:
        if row.target_kind == "account":
            return "account", row.target, row.target in self.world.accounts
        if row.target_kind == "external":
            return "external", row.target, False
        target = row.target
        if row.target_kind == "assumed-role" and row.target_account_id and row.role_name:
            target = self.roles_by_name.get(row.target_account_id, {}).get(row.role_name, target)
        principal = self.principals_by_arn.get(target)
        return ("placeholder", target, False) if principal is None else (principal.kind, target, True)

    async def trust_targets(self, role_arn: str) -> list[TrustTargetRecord]:
        if role_arn not in self.trust:
            return []
        found = []
        for row in self.trust_rows(role_arn):
            kind, target, loaded = self.target(row)
            found.append(TrustTargetRecord(
                row.statement_index, row.sid, row.effect, row.not_principal, row.principal, kind, target, loaded,
                row.external_kind, row.external_value,
            ))
        return found

    async def trust_targets_of(self, role_arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        return {arn: found for arn in role_arns if (found := await self.trust_targets(arn))}

    async def trusts_across_accounts(self, account_id: str | None) -> list[CrossAccountTrustRecord]:
        found = []
        for role_arn in sorted(self.trust):
            own = self.account_of[role_arn]
            if account_id is not None and own != account_id:
                continue
            for row in self.trust_rows(role_arn):
                trusted = row.target_account_id
                if row.effect != "Allow" or row.external_kind == "service":
                    continue
                if not (row.not_principal or trusted is None or trusted != own):
                    continue
                kind, target, _ = self.target(row)
                found.append(CrossAccountTrustRecord(
                    role_arn, self.principals_by_arn[role_arn].name, own, self.trust[role_arn], row.statement_index,
                    row.sid, row.effect, row.not_principal, row.conditions, kind, target, None, row.external_kind,
                    row.external_value, trusted, trusted is not None and trusted in self.world.accounts,
                ))
        return found


    # A past load's fact set holds IAM only (GAAD and Organizations): a past answer is worked out as if no
    # resource policy and no credential facts were loaded, which is what whoCanAssume's difference needs
    # (trust and identity policies decide role assumption; #14's resources and #16's facts do not).
    async def account_resources(self, account_id: str | None) -> list[ResourceRecord]:
        return []

    async def resources(self, arns: Sequence[str]) -> list[ResourceRecord]:
        return []

    async def account_security(self, account_id: str | None) -> list[AccountSecurityRecord]:
        return []

    async def security_loads(self) -> list[SecurityLoadRecord]:
        return []


def statements_of(document: str | None) -> list[Any]:
    """A policy document's statements as a list (a single statement object is a list of one)."""
    if not document:
        return []
    statement = json.loads(document).get("Statement", [])
    return statement if isinstance(statement, list) else [statement]
