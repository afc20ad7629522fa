"""What the evaluator needs about principals and accounts, read from the graph in batches.

Policy documents are parsed once per distinct text and kept for the life of the process: a reload that
changes a document changes its text, so a stale parse is never used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from service.database.reader import GraphReader
from service.evaluation import Policy, Principal, parse_policy


@dataclass(frozen=True)
class PolicyRef:
    """A policy attached to a principal, directly (`via` None) or through the group `via`."""

    arn: str
    name: str
    kind: str
    known: bool
    document: str | None
    via: str | None = None
    via_name: str | None = None


@dataclass(frozen=True)
class OrgContext:
    """An account's place in its organization: SCP and RCP documents per level, root first."""

    account_id: str
    loaded: bool
    organization_id: str | None
    management_account_id: str | None
    level_ids: tuple[str, ...] = ()
    scp_levels: tuple[tuple[Policy, ...], ...] = ()
    rcp_levels: tuple[tuple[Policy, ...], ...] = ()

    @property
    def in_organization(self) -> bool:
        return self.organization_id is not None

    @property
    def org_paths(self) -> tuple[str, ...]:
        if not self.organization_id:
            return ()
        return ("/".join((self.organization_id, *self.level_ids[:-1])) + "/",)


@dataclass(frozen=True)
class Profile:
    """One user or role, ready to be evaluated."""

    arn: str
    kind: str
    name: str
    account_id: str
    unique_id: str | None
    tags: Mapping[str, str]
    is_service_linked: bool
    policies: tuple[PolicyRef, ...]
    boundary: PolicyRef | None
    org: OrgContext
    groups: tuple[tuple[str, str], ...] = field(default=())

    @cached_property
    def principal(self) -> Principal:
        return Principal(
            arn=self.arn,
            account_id=self.account_id,
            kind="user" if self.kind == "user" else "role",
            unique_id=self.unique_id,
            tags=dict(self.tags),
            org_id=self.org.organization_id,
            org_paths=self.org.org_paths,
            is_service_linked=self.is_service_linked,
            is_management_account=self.org.management_account_id == self.account_id,
            username=self.name if self.kind == "user" else None,
        )

    @cached_property
    def identity_policies(self) -> tuple[Policy, ...]:
        return tuple(parsed(ref) for ref in self.policies if ref.known and ref.document)

    @cached_property
    def boundary_policies(self) -> tuple[Policy, ...] | None:
        if self.boundary is None:
            return None
        if not (self.boundary.known and self.boundary.document):
            return None
        return (parsed(self.boundary),)

    @property
    def unknown_policies(self) -> tuple[PolicyRef, ...]:
        unknown = [ref for ref in self.policies if not (ref.known and ref.document)]
        if self.boundary is not None and not (self.boundary.known and self.boundary.document):
            unknown.append(self.boundary)
        return tuple(unknown)


def parsed(ref: PolicyRef) -> Policy:
    assert ref.document is not None
    return _parse_cached(ref.arn, ref.document)


@lru_cache(maxsize=65536)
def _parse_cached(name: str, document: str) -> Policy:
    return parse_policy(document, name=name)


def parse_document(name: str, document: str) -> Policy:
    """Parse a stored document (cached); a document the loader accepted always parses."""
    return _parse_cached(name, document)


class ProfileStore:
    """Batched reads of principal profiles, policy documents and organization contexts for one question."""

    def __init__(self, reader: GraphReader) -> None:
        self.reader = reader
        self._policies: dict[str, PolicyRef] = {}
        self._orgs: dict[str, OrgContext] = {}
        self._profiles: dict[str, Profile | None] = {}

    async def profiles(self, arns: Iterable[str]) -> dict[str, Profile]:
        wanted = [arn for arn in dict.fromkeys(arns) if arn not in self._profiles]
        if wanted:
            rows = await self.reader.rows("reach_principal_profiles", arns=wanted)
            policy_arns = {arn for row in rows for arn in row["policies"]}
            policy_arns |= {arn for row in rows for group in row["groups"] for arn in group["policies"]}
            policy_arns |= {row["boundary"] for row in rows if row["boundary"]}
            await self._load_policies(policy_arns)
            await self.org_contexts({row["accountId"] for row in rows})
            for arn in wanted:
                self._profiles[arn] = None
            for row in rows:
                self._profiles[row["arn"]] = self._profile(row)
        return {arn: profile for arn in arns if (profile := self._profiles.get(arn)) is not None}

    def _profile(self, row: Mapping[str, object]) -> Profile:
        policies = [self._policies[arn] for arn in row["policies"]]  # type: ignore[attr-defined]
        groups: list[tuple[str, str]] = []
        for group in row["groups"]:  # type: ignore[attr-defined]
            groups.append((group["arn"], group["name"]))
            for arn in group["policies"]:
                ref = self._policies[arn]
                policies.append(
                    PolicyRef(
                        ref.arn, ref.name, ref.kind, ref.known, ref.document, via=group["arn"], via_name=group["name"]
                    )
                )
        boundary = self._policies[str(row["boundary"])] if row["boundary"] else None
        tags_text = row["tags"]
        tags = json.loads(tags_text) if isinstance(tags_text, str) and tags_text else {}
        return Profile(
            arn=str(row["arn"]),
            kind=str(row["kind"]),
            name=str(row["name"]),
            account_id=str(row["accountId"]),
            unique_id=str(row["id"]) if row["id"] else None,
            tags=tags,
            is_service_linked=bool(row["isServiceLinked"]),
            policies=tuple(policies),
            boundary=boundary,
            org=self._orgs[str(row["accountId"])],
            groups=tuple(groups),
        )

    async def _load_policies(self, arns: set[str]) -> None:
        missing = [arn for arn in arns if arn not in self._policies]
        if not missing:
            return
        for row in await self.reader.rows("reach_policy_documents", arns=missing):
            self._policies[row["arn"]] = PolicyRef(
                arn=row["arn"],
                name=row["name"] or row["arn"].rsplit("/", 1)[-1],
                kind=row["kind"] or "unknown",
                known=bool(row["known"]) and row["document"] is not None,
                document=row["document"],
            )
        for arn in missing:
            self._policies.setdefault(arn, PolicyRef(arn, arn.rsplit("/", 1)[-1], "unknown", False, None))

    async def org_contexts(self, account_ids: Iterable[str]) -> dict[str, OrgContext]:
        ids = [account for account in dict.fromkeys(account_ids) if account and account not in self._orgs]
        if ids:
            for row in await self.reader.rows("reach_account_organizations", accountIds=ids):
                self._orgs[row["accountId"]] = _org_context(row)
            for account in ids:
                self._orgs.setdefault(account, OrgContext(account, False, None, None))
        return {account: self._orgs[account] for account in account_ids if account in self._orgs}

    async def org_context(self, account_id: str) -> OrgContext:
        return (await self.org_contexts([account_id]))[account_id]


def _org_context(row: Mapping[str, object]) -> OrgContext:
    levels = list(row["levels"])  # type: ignore[call-overload]
    scps: list[tuple[Policy, ...]] = []
    rcps: list[tuple[Policy, ...]] = []
    for level in levels:
        scp: list[Policy] = []
        rcp: list[Policy] = []
        for policy in level["policies"]:
            document = parse_document(f"{policy['name']} ({policy['id']})", policy["document"])
            (scp if policy["type"] == "SERVICE_CONTROL_POLICY" else rcp).append(document)
        scps.append(tuple(scp))
        rcps.append(tuple(rcp))
    # An organization whose snapshot carries no SCP at all has the policy type disabled: no SCP applies.
    has_scps, has_rcps = any(scps), any(rcps)
    return OrgContext(
        account_id=str(row["accountId"]),
        loaded=bool(row["loaded"]),
        organization_id=str(row["organizationId"]) if row["organizationId"] else None,
        management_account_id=str(row["managementAccountId"]) if row["managementAccountId"] else None,
        level_ids=tuple(str(level["id"]) for level in levels),
        scp_levels=tuple(scps) if has_scps else (),
        rcp_levels=tuple(rcps) if has_rcps else (),
    )
