"""Loaded accounts as the evaluator needs them: `Profile` (one user or role), `PolicyRef`, `OrgContext`,
`AccountEntry` (one account as of one load). Plain data, made from the graph's records; no I/O.

Policy documents are parsed once per distinct text and kept for the life of the process: a reload that
changes a document changes its text, so a stale parse is never used.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import NamedTuple

from service.database.records import OrganizationRecord, PolicyRecord, RoleRecord
from service.errors import PolicyError
from service.evaluation import Policy, Principal, parse_policy
from service.reachability.model import NodeRef

ASSUME_ROLE = "sts:AssumeRole"  # the action of every whoCanAssume


@dataclass(frozen=True)
class PolicyRef:
    """A policy attached to a principal, directly (`via` None) or through the IAM group `via`."""

    arn: str
    name: str
    kind: str
    known: bool
    document: str | None
    via: str | None = None
    via_name: str | None = None

    @property
    def loaded(self) -> bool:
        """Whether its document is loaded: a policy that is not is never evaluated (and may allow anything)."""
        return self.known and bool(self.document)

    @classmethod
    def from_record(cls, record: PolicyRecord) -> PolicyRef:
        return cls(
            arn=record.arn,
            name=record.name or record.arn.rsplit("/", 1)[-1],
            kind=record.kind or "unknown",
            known=record.known and record.document is not None,
            document=record.document,
        )

    @classmethod
    def unknown(cls, arn: str) -> PolicyRef:
        """A policy a principal holds that the graph has no node for."""
        return cls(arn, arn.rsplit("/", 1)[-1], "unknown", False, None)


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

    @cached_property
    def kept(self) -> dict[Hashable, object]:
        """What questions work out about the account's principals and keep for as long as this place is
        the account's (a load or an organization load makes a new one): see `clauses.principal_clauses_of`."""
        return {}

    @property
    def is_management_account(self) -> bool:
        return self.management_account_id == self.account_id

    @property
    def org_paths(self) -> tuple[str, ...]:
        if not self.organization_id:
            return ()
        return ("/".join((self.organization_id, *self.level_ids[:-1])) + "/",)

    @classmethod
    def outside(cls, account_id: str) -> OrgContext:
        """An account in no loaded organization."""
        return cls(account_id, False, None, None)

    @classmethod
    def from_record(cls, record: OrganizationRecord) -> OrgContext:
        scps: list[tuple[Policy, ...]] = []
        rcps: list[tuple[Policy, ...]] = []
        for level in record.levels:
            scp: list[Policy] = []
            rcp: list[Policy] = []
            for policy in level.policies:
                document = parse_document(f"{policy.name} ({policy.id})", policy.document)
                (scp if policy.type == "SERVICE_CONTROL_POLICY" else rcp).append(document)
            scps.append(tuple(scp))
            rcps.append(tuple(rcp))
        # An organization whose snapshot carries no SCP at all has the policy type disabled: no SCP applies.
        return cls(
            account_id=record.account_id,
            loaded=record.loaded,
            organization_id=record.organization_id,
            management_account_id=record.management_account_id,
            level_ids=tuple(level.id for level in record.levels),
            scp_levels=tuple(scps) if any(scps) else (),
            rcp_levels=tuple(rcps) if any(rcps) else (),
        )


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

    @cached_property
    def ref(self) -> NodeRef:
        return NodeRef(self.arn, self.kind, self.name, self.account_id)

    # (Plain properties, not cached ones: every principal of a 100k organization gets a signature, and a
    # cached value on each would cost about 100 MB; see service/reachability/signatures.py.)
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
        return tuple(parsed(ref) for ref in self.policies if ref.loaded)

    @property
    def boundary_policies(self) -> tuple[Policy, ...] | None:
        if self.boundary is None or not self.boundary.loaded:
            return None
        return (parsed(self.boundary),)

    @property
    def unknown_policies(self) -> tuple[PolicyRef, ...]:
        unknown = [ref for ref in self.policies if not ref.loaded]
        if self.boundary is not None and not self.boundary.loaded:
            unknown.append(self.boundary)
        return tuple(unknown)


class Entry(NamedTuple):
    """A principal as signature classes and decision classes list it: ordered by ARN (which is unique)."""

    arn: str
    profile: Profile


@dataclass(frozen=True)
class AccountEntry:
    """One loaded account as of one load: its users and roles, and who holds each identity policy."""

    load_id: str
    org: OrgContext
    profiles: Mapping[str, Profile]
    policies: Mapping[str, PolicyRef]
    holders: Mapping[str, tuple[str, ...]]

    @property
    def account_id(self) -> str:
        return self.org.account_id


@dataclass(frozen=True)
class Role:
    """A role a question is about, with its trust policy (parsed) and its account's organization context."""

    arn: str
    name: str
    account_id: str
    trust_document: str
    trust: Policy
    org: OrgContext

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.arn, "role", self.name, self.account_id)

    @classmethod
    def from_record(cls, record: RoleRecord, org: OrgContext) -> Role:
        trust = parse_trust(f"{record.name} trust policy", record.trust_policy)
        return cls(record.arn, record.name, record.account_id, record.trust_policy, trust, org)


def parsed(ref: PolicyRef) -> Policy:
    assert ref.document is not None
    return _parse_cached(ref.arn, ref.document)


@lru_cache(maxsize=65536)
def _parse_cached(name: str, document: str) -> Policy:
    return parse_policy(document, name=name)


def parse_trust(name: str, document: str) -> Policy:
    """A role's trust policy, named for the role: each distinct document is parsed once (at 100k principals,
    26,000 roles a walk reads at once hold 7,000 documents), each role's a copy under its own name (what
    explanations and errors show). A document that does not parse is parsed again under the role's name,
    whose error names it."""
    try:
        shared = _parse_trust_document(document)
    except PolicyError:
        return parse_document(name, document)
    return replace(shared, name=name)


@lru_cache(maxsize=16384)
def _parse_trust_document(document: str) -> Policy:
    return parse_policy(document, name="trust policy")


def parse_document(name: str, document: str) -> Policy:
    """Parse a stored document (cached); a document the loader accepted always parses."""
    return _parse_cached(name, document)
