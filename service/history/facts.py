"""A load's fact set: the normalized entities one load wrote, each a `Fact` addressed by its content hash.

History keeps, per load, the set of hashes of its facts; a fact unchanged since the previous load is the same
node, so an unchanged policy costs one relationship, not another copy (docs/history.md). A fact set is per
unit of loading (`SOURCE_KINDS`): an account's GAAD load, an organization's load. A later source kind (#14's
resources, #16's security facts) adds a kind here with its own `facts_of_*` function and nothing else changes.

This module is pure: it reads the loaders' rows and writes plain JSON-able dicts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from loaders.rows import AccountSnapshot, OrganizationSnapshot

Unit = Literal["account", "organization"]
SOURCE_KINDS: tuple[Unit, ...] = ("account", "organization")
# Fact kinds per unit. A user fact carries its group memberships, a role fact its trust policy: a
# membership or trust statement change is a change of that one fact.
ACCOUNT_KINDS = ("user", "role", "group", "policy")
ORGANIZATION_KINDS = ("organization", "orgRoot", "orgUnit", "orgAccount", "orgPolicy")
HASH_LENGTH = 32  # hex characters: 128 bits, no collision among any number of facts a store will hold


@dataclass(frozen=True, slots=True)
class Fact:
    """One entity as one load saw it. `key` identifies the entity across loads (an ARN, an org id)."""

    kind: str
    key: str
    body: str  # canonical JSON (sorted keys)
    hash: str

    @classmethod
    def of(cls, kind: str, key: str, body: Mapping[str, Any]) -> Fact:
        text = json.dumps({"kind": kind, **body}, sort_keys=True, separators=(",", ":"))
        return cls(kind, key, text, hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH])

    @property
    def value(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


@dataclass(frozen=True, slots=True)
class LoadCounts:
    """What `history` charts per load; the same names as the Load node's properties."""

    principals: int = 0
    users: int = 0
    roles: int = 0
    groups: int = 0
    policies: int = 0
    trust_statements: int = 0
    cross_account_trusts: int = 0
    accounts: int = 0
    organizational_units: int = 0

    def as_properties(self) -> dict[str, int]:
        return {
            "principals": self.principals, "users": self.users, "roles": self.roles, "groups": self.groups,
            "policies": self.policies, "trustStatements": self.trust_statements,
            "crossAccountTrusts": self.cross_account_trusts, "accounts": self.accounts,
            "organizationalUnits": self.organizational_units,
        }


def _sorted(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def _by_source(links: Iterable[Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for link in links:
        found.setdefault(link.source, []).append(link.target)
    return found


def account_facts(snapshot: AccountSnapshot) -> list[Fact]:
    """The account load's facts: users (with groups, policies, boundary), roles (with trust policy), groups
    (with policies), and every policy the account's entities use, AWS managed ones included."""
    groups_of = _by_source(snapshot.memberships)
    policies_of = _by_source([*snapshot.principal_policies, *snapshot.group_policies])
    boundary_of = {link.source: link.target for link in snapshot.boundaries}
    facts = [
        Fact.of("user", u.arn, {
            "arn": u.arn, "name": u.name, "id": u.id, "path": u.path, "tags": json.loads(u.tags or "{}"),
            "groups": _sorted(groups_of.get(u.arn, ())), "policies": _sorted(policies_of.get(u.arn, ())),
            "boundary": boundary_of.get(u.arn),
        })
        for u in snapshot.users
    ]
    facts += [
        Fact.of("role", r.arn, {
            "arn": r.arn, "name": r.name, "id": r.id, "path": r.path, "tags": json.loads(r.tags or "{}"),
            "isServiceLinked": r.is_service_linked, "trustPolicy": r.trust_policy,
            "policies": _sorted(policies_of.get(r.arn, ())), "boundary": boundary_of.get(r.arn),
        })
        for r in snapshot.roles
    ]
    facts += [
        Fact.of("group", g.arn, {"arn": g.arn, "name": g.name, "id": g.id, "path": g.path,
                                 "policies": _sorted(policies_of.get(g.arn, ()))})
        for g in snapshot.groups
    ]
    facts += [
        Fact.of("policy", p.arn, {
            "arn": p.arn, "name": p.name, "kind": p.kind, "known": p.known, "versionId": p.version_id,
            "document": p.document, "owner": p.owner_arn,
        })
        for p in (*snapshot.policies, *snapshot.global_policies)
    ]
    return facts


def account_counts(snapshot: AccountSnapshot) -> LoadCounts:
    cross = {
        (t.role_arn, t.statement_index, t.target)
        for t in snapshot.trusts
        if t.effect == "Allow" and t.external_kind != "service"
        and (t.not_principal or t.target_account_id is None or t.target_account_id != snapshot.account_id)
    }
    return LoadCounts(
        principals=len(snapshot.users) + len(snapshot.roles), users=len(snapshot.users), roles=len(snapshot.roles),
        groups=len(snapshot.groups), policies=sum(1 for p in snapshot.policies if p.kind == "customer"),
        trust_statements=len({(t.role_arn, t.statement_index) for t in snapshot.trusts}),
        cross_account_trusts=len(cross),
    )


def organization_facts(snapshot: OrganizationSnapshot) -> list[Fact]:
    facts = [Fact.of("organization", snapshot.id, {
        "id": snapshot.id, "managementAccountId": snapshot.management_account_id, "featureSet": snapshot.feature_set,
    })]
    facts += [Fact.of("orgRoot", r.id, {"id": r.id, "name": r.name}) for r in snapshot.roots]
    facts += [Fact.of("orgUnit", u.id, {"id": u.id, "name": u.name, "parentId": u.parent_id}) for u in snapshot.units]
    facts += [
        Fact.of("orgAccount", a.id, {"id": a.id, "name": a.name, "parentId": a.parent_id, "status": a.status})
        for a in snapshot.accounts
    ]
    facts += [
        Fact.of("orgPolicy", p.id, {
            "id": p.id, "name": p.name, "type": p.type, "document": p.document, "targets": _sorted(p.target_ids),
        })
        for p in snapshot.policies
    ]
    return facts


def organization_counts(snapshot: OrganizationSnapshot) -> LoadCounts:
    return LoadCounts(
        accounts=len(snapshot.accounts), organizational_units=len(snapshot.units), policies=len(snapshot.policies)
    )


@dataclass(frozen=True, slots=True)
class FactSet:
    """One load's facts, by kind then key."""

    unit: Unit
    unit_id: str
    load_id: str
    facts: Mapping[str, Mapping[str, Mapping[str, Any]]]

    @classmethod
    def of(cls, unit: Unit, unit_id: str, load_id: str, facts: Sequence[tuple[str, str, str]]) -> FactSet:
        """From (kind, key, body JSON) rows, as the store returns them."""
        by_kind: dict[str, dict[str, Mapping[str, Any]]] = {}
        for kind, key, body in facts:
            by_kind.setdefault(kind, {})[key] = json.loads(body)
        return cls(unit, unit_id, load_id, by_kind)

    @classmethod
    def parsed(
        cls, unit: Unit, unit_id: str, load_id: str, facts: Sequence[tuple[str, str, Mapping[str, Any]]]
    ) -> FactSet:
        """From (kind, key, body) rows whose bodies are parsed already."""
        by_kind: dict[str, dict[str, Mapping[str, Any]]] = {}
        for kind, key, body in facts:
            by_kind.setdefault(kind, {})[key] = body
        return cls(unit, unit_id, load_id, by_kind)

    @classmethod
    def empty(cls, unit: Unit, unit_id: str) -> FactSet:
        return cls(unit, unit_id, "", {})

    def of_kind(self, kind: str) -> Mapping[str, Mapping[str, Any]]:
        return self.facts.get(kind, {})
