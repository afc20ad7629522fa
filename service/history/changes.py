"""What changed between two `World`s of history, entity by entity: pure, no access questions (see access.py).

Entities added and removed (users, roles, groups, policies; organization accounts, units and policies), policy
documents changed with a statement-level difference, trust statements added, removed or changed, group
memberships and policy attachments added or removed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from service.history.facts import FactSet
from service.history.source import statements_of
from service.history.store import World

Change = Literal["added", "removed", "changed"]
# Entity kinds reported as added or removed, and the document each kind carries.
ENTITY_KINDS = ("user", "role", "group", "policy", "orgAccount", "orgUnit", "orgPolicy")
DOCUMENTS = {"policy": "document", "orgPolicy": "document"}


@dataclass(frozen=True, slots=True)
class EntityChange:
    unit_id: str  # the account (or organization) whose load shows the change
    kind: str
    arn: str  # an ARN; for organization entities, their id
    name: str | None
    change: Change


@dataclass(frozen=True, slots=True)
class StatementChange:
    change: Change
    sid: str | None
    before: str | None  # the statement as canonical JSON
    after: str | None


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """A policy document (or a role's trust policy) that is in both loads and differs."""

    unit_id: str
    kind: str  # policy, trustPolicy, orgPolicy
    arn: str
    name: str | None
    version_before: str | None
    version_after: str | None
    statements: tuple[StatementChange, ...]


@dataclass(frozen=True, slots=True)
class LinkChange:
    """A membership (user → group) or an attachment (user, role or group → policy; or a boundary)."""

    unit_id: str
    kind: Literal["membership", "policy", "boundary"]
    source: str
    target: str
    change: Change


@dataclass(frozen=True, slots=True)
class FactChanges:
    entities: tuple[EntityChange, ...]
    documents: tuple[DocumentChange, ...]
    trusts: tuple[DocumentChange, ...]
    memberships: tuple[LinkChange, ...]
    attachments: tuple[LinkChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.entities or self.documents or self.trusts or self.memberships or self.attachments)


def canonical(statement: Any) -> str:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"))


def _sid(statement: Any) -> str | None:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    return str(sid) if sid else None


def _shape(statement: Any) -> str:
    """What a statement is for, apart from whom and where: two that share it are one statement edited."""
    if not isinstance(statement, dict):
        return canonical(statement)
    return canonical({k: statement.get(k) for k in ("Effect", "Action", "NotAction")})


def statement_changes(before: str | None, after: str | None) -> tuple[StatementChange, ...]:
    """Statements only in one document; an unmatched pair with the same Sid, or with no Sid and the same
    Effect and Action, is one statement changed. Identity is content, never list position."""
    old = [canonical(s) for s in statements_of(before)]
    new = [canonical(s) for s in statements_of(after)]
    gone = list((Counter(old) - Counter(new)).elements())
    came = list((Counter(new) - Counter(old)).elements())
    found: list[StatementChange] = []
    for text in gone:
        statement = json.loads(text)
        match = next(
            (c for c in came if (_sid(statement) and _sid(json.loads(c)) == _sid(statement))
             or (not _sid(statement) and not _sid(json.loads(c)) and _shape(json.loads(c)) == _shape(statement))),
            None,
        )
        if match is None:
            found.append(StatementChange("removed", _sid(statement), text, None))
        else:
            came.remove(match)
            found.append(StatementChange("changed", _sid(statement), text, match))
    found += [StatementChange("added", _sid(json.loads(text)), None, text) for text in came]
    return tuple(found)


def _units(before: Mapping[str, FactSet], after: Mapping[str, FactSet]) -> list[tuple[str, FactSet, FactSet]]:
    ids = sorted({*before, *after})
    return [
        (unit_id, before.get(unit_id) or FactSet.empty(_unit(after, unit_id), unit_id),
         after.get(unit_id) or FactSet.empty(_unit(before, unit_id), unit_id))
        for unit_id in ids
    ]


def _unit(sets: Mapping[str, FactSet], unit_id: str) -> Any:
    held = sets.get(unit_id)
    return held.unit if held is not None else "account"


def _is_global(kind: str, body: Mapping[str, Any]) -> bool:
    """AWS managed policies are in every account's facts that uses them: attaching one is an attachment,
    not a policy added; its new version is reported once."""
    return kind == "policy" and body.get("kind") == "aws"


def fact_changes(before: World, after: World, unit_ids: Iterable[str] | None = None) -> FactChanges:
    wanted = None if unit_ids is None else set(unit_ids)
    entities: list[EntityChange] = []
    documents: dict[str, DocumentChange] = {}
    trusts: list[DocumentChange] = []
    links: list[LinkChange] = []
    pairs = [*_units(before.accounts, after.accounts), *_units(before.organizations, after.organizations)]
    for unit_id, old, new in pairs:
        if wanted is not None and unit_id not in wanted:
            continue
        for kind in ENTITY_KINDS:
            was, now = old.of_kind(kind), new.of_kind(kind)
            for key in sorted({*was, *now}):
                a, b = was.get(key), now.get(key)
                if a is None or b is None:
                    body = b if a is None else a
                    assert body is not None
                    if not _is_global(kind, body):
                        change: Change = "added" if a is None else "removed"
                        entities.append(EntityChange(unit_id, kind, key, body.get("name"), change))
                    continue
                if kind in DOCUMENTS and a.get(DOCUMENTS[kind]) != b.get(DOCUMENTS[kind]):
                    statements = statement_changes(a.get(DOCUMENTS[kind]), b.get(DOCUMENTS[kind]))
                    if statements:
                        where = "aws" if _is_global(kind, b) else unit_id
                        documents.setdefault(f"{where} {key}", DocumentChange(
                            where, kind, key, b.get("name"), a.get("versionId"), b.get("versionId"), statements))
                if kind == "role" and a.get("trustPolicy") != b.get("trustPolicy"):
                    statements = statement_changes(a.get("trustPolicy"), b.get("trustPolicy"))
                    if statements:
                        trusts.append(DocumentChange(unit_id, "trustPolicy", key, b.get("name"), None, None,
                                                     statements))
            if kind in ("user", "role", "group"):
                links += _link_changes(unit_id, was, now)
    return FactChanges(
        tuple(entities), tuple(documents[k] for k in sorted(documents)), tuple(trusts),
        tuple(link for link in links if link.kind == "membership"),
        tuple(link for link in links if link.kind != "membership"),
    )


def _link_changes(
    unit_id: str, was: Mapping[str, Mapping[str, Any]], now: Mapping[str, Mapping[str, Any]]
) -> list[LinkChange]:
    """Links of entities in both loads: an entity added or removed is reported as such, not link by link."""
    found = []
    for key in sorted(set(was) & set(now)):
        for field, kind in (("groups", "membership"), ("policies", "policy"), ("boundary", "boundary")):
            a, b = was[key].get(field), now[key].get(field)
            old = set(a if isinstance(a, list) else [a] if a else [])
            new = set(b if isinstance(b, list) else [b] if b else [])
            found += [LinkChange(unit_id, kind, key, t, "added") for t in sorted(new - old)]  # type: ignore[arg-type]
            found += [LinkChange(unit_id, kind, key, t, "removed") for t in sorted(old - new)]  # type: ignore[arg-type]
    return found
