"""What the evaluator needs about principals and accounts (`Profile`, `OrgContext`), served to a question
from the process-wide `PrincipalIndex` (service/reachability/index.py).

Policy documents are parsed once per distinct text and kept for the life of the process: a reload that
changes a document changes its text, so a stale parse is never used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from service.database.reader import GraphReader
from service.evaluation import Policy, Principal, parse_policy
from service.evaluation.request import arn_account
from service.reachability.model import NodeRef

if TYPE_CHECKING:
    from service.reachability.index import AccountEntry, ActionWeighing, Generation, PrincipalIndex


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
    def ref(self) -> NodeRef:
        return NodeRef(self.arn, self.kind, self.name, self.account_id)

    # (Plain properties, not cached ones: every principal of a 100k organization is weighed, and a cached
    # value on each would cost about 100 MB; see ActionWeighing.shapes.)
    @property
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

    @property
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
    """Profiles and organization contexts for one question, from the process-wide `PrincipalIndex` as of
    the graph's load ids when the question started."""

    def __init__(self, reader: GraphReader, index: PrincipalIndex) -> None:
        self.reader = reader
        self.index = index
        self._generation: Generation | None = None
        self._revision = -1

    async def generation(self) -> Generation:
        if self._generation is None:
            self._generation = await self.index.generation(self.reader)
        return self._generation

    async def entries(self, account_ids: Iterable[str] | None = None) -> dict[str, AccountEntry]:
        """The index entries of the wanted loaded accounts (all loaded accounts when None)."""
        entries, self._revision = await self.index.accounts(self.reader, await self.generation(), account_ids)
        return entries

    def weighing(self, action_lower: str) -> ActionWeighing:
        """The action's weighing for the entries this question read last."""
        return self.index.weighing(action_lower, self._revision)

    async def profiles(self, arns: Iterable[str]) -> dict[str, Profile]:
        arns = list(dict.fromkeys(arns))
        entries = await self.entries({account for arn in arns if (account := arn_account(arn))})
        found: dict[str, Profile] = {}
        for arn in arns:
            entry = entries.get(arn_account(arn) or "")
            if entry is not None and (profile := entry.profiles.get(arn)) is not None:
                found[arn] = profile
        return found

    async def org_contexts(self, account_ids: Iterable[str]) -> dict[str, OrgContext]:
        await self.generation()
        return await self.index.org_contexts(self.reader, account_ids)

    async def org_context(self, account_id: str) -> OrgContext:
        return (await self.org_contexts([account_id]))[account_id]


def org_context_from_row(row: Mapping[str, object]) -> OrgContext:
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
