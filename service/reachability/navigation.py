"""Navigation for the explorer: an entity by key, full-text search, neighbours a page at a time."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from service.database.reader import GraphReader
from service.errors import QueryError
from service.reachability.model import NodeRef
from service.reachability.resource_kinds import RESOURCE_KINDS

MAX_PAGE = 500
# Far past any answer's size, and far below the 32-bit list indices Cypher slices pages with.
MAX_CURSOR = 1_000_000_000
_ROOT_ARN = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):root\Z")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_KINDS = (  # label → kind, most specific first
    ("User", "user"),
    ("Role", "role"),
    ("Group", "group"),
    ("Policy", "policy"),
    ("Account", "account"),
    ("OrgPolicy", "scp"),
    ("Organization", "organization"),
    ("OrgRoot", "root"),
    ("OrganizationalUnit", "ou"),
    ("Principal", "principal"),
)


def node_ref(properties: Mapping[str, Any], labels: Sequence[str]) -> NodeRef:
    key = properties.get("arn") or properties.get("key") or properties.get("id") or ""
    if "Account" in labels:
        key = properties.get("id") or key
    if "ExternalPrincipal" in labels:
        kind = str(properties.get("kind") or "external")
        return NodeRef(str(key), kind, str(properties.get("value") or key), None)
    kind = next((name for label, name in _KINDS if label in labels), "unknown")
    if "Resource" in labels:  # #14: a loaded resource, drawn by its type (explorer/src/kinds.ts)
        kind = RESOURCE_KINDS.get(str(properties.get("type")), "resource")
    if kind == "scp" and properties.get("type") == "RESOURCE_CONTROL_POLICY":
        kind = "rcp"
    name = properties.get("name") or (properties.get("id") if kind == "account" else None)
    account = properties.get("accountId") or (properties.get("id") if kind == "account" else None)
    return NodeRef(str(key), kind, str(name) if name else None, str(account) if account else None)


@dataclass(frozen=True)
class PolicyView:
    arn: str
    name: str
    kind: str
    known: bool
    document: str | None
    via: str | None


@dataclass(frozen=True)
class EntityView:
    node: NodeRef
    properties: dict[str, Any]
    policies: tuple[PolicyView, ...]
    boundary: PolicyView | None
    groups: tuple[NodeRef, ...]

    @property
    def trust_policy(self) -> str | None:
        value = self.properties.get("trustPolicy")
        return str(value) if value else None

    @property
    def last_used(self) -> str | None:
        value = self.properties.get("lastUsed") or self.properties.get("passwordLastUsed")
        return str(value) if value else None


@dataclass(frozen=True)
class EdgeView:
    source: str
    target: str
    kind: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Neighbourhood:
    center: NodeRef
    nodes: tuple[NodeRef, ...]
    edges: tuple[EdgeView, ...]
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.edges) < self.total

    @property
    def end_cursor(self) -> str | None:
        return str(self.offset + len(self.edges)) if self.has_more else None


def cursor_offset(after: str | None) -> int:
    """The offset a cursor this API returned stands for; no cursor (or "") is the first page.

    Raises:
        QueryError: `after` is not one: a negative number, anything but ASCII digits, past MAX_CURSOR.
    """
    if not after:
        return 0
    if not (after.isascii() and after.isdigit() and len(after) <= len(str(MAX_CURSOR))) or int(after) > MAX_CURSOR:
        raise QueryError(
            f"{after[:40]!r} is not a cursor this API returned; pass the endCursor of the page before, or no `after`"
        )
    return int(after)


def entity_key(text: str) -> str:
    """The graph key for what a person typed: an account root ARN means the account."""
    match = _ROOT_ARN.match(text.strip())
    return match.group(1) if match else text.strip()


async def entity(reader: GraphReader, key: str) -> EntityView | None:
    return (await entities(reader, [key]))[0]


async def entities(reader: GraphReader, keys: Sequence[str]) -> list[EntityView | None]:
    """Entities for keys, in order (None where a key names nothing): one query for the whole batch."""
    wanted = [entity_key(key) for key in keys]
    rows = await reader.rows("nav_entity", keys=sorted(set(wanted)))
    found: dict[str, EntityView] = {}
    for row in rows:
        found.setdefault(row["key"], _entity(row))
    return [found.get(key) for key in wanted]


def _entity(row: Mapping[str, Any]) -> EntityView:
    policies = tuple(_policy(p) for p in row["policies"])
    boundary = _policy(row["boundaries"][0]) if row["boundaries"] else None
    groups = tuple(node_ref(g["properties"], g["labels"]) for g in row["groups"])
    properties = {k: _plain(v) for k, v in row["properties"].items()}
    return EntityView(node_ref(row["properties"], row["labels"]), properties, policies, boundary, groups)


async def search(reader: GraphReader, text: str, first: int = 20) -> list[NodeRef]:
    words = [w for w in text.split() if w]
    if not words:
        return []
    if not 1 <= first <= 100:
        raise QueryError("search returns between 1 and 100 results; ask for fewer")
    query = " AND ".join(_LUCENE_SPECIAL.sub(r"\\\1", word) + "*" for word in words[:8])
    rows = await reader.rows("nav_search", text=query, first=first)
    return [node_ref(row["properties"], row["labels"]) for row in rows]


async def neighbours(reader: GraphReader, key: str, first: int = 50, after: str | None = None) -> Neighbourhood | None:
    if not 1 <= first <= MAX_PAGE:
        raise QueryError(f"neighbours pages hold between 1 and {MAX_PAGE} relationships")
    offset = cursor_offset(after)
    rows = await reader.rows("nav_neighbours", key=entity_key(key), offset=offset, first=first)
    if not rows:
        return None
    row = rows[0]
    center = node_ref(row["properties"], row["labels"])
    nodes: dict[str, NodeRef] = {}
    edges = []
    for item in row["page"]:
        other = node_ref(item["properties"], item["labels"])
        nodes.setdefault(other.arn, other)
        source, target = (center.arn, other.arn) if item["outgoing"] else (other.arn, center.arn)
        properties = {k: _plain(v) for k, v in item["relProperties"].items()}
        edges.append(EdgeView(source, target, str(item["type"]), properties))
    return Neighbourhood(center, tuple(nodes.values()), tuple(edges), int(row["total"]), offset)


def _policy(row: Mapping[str, Any]) -> PolicyView:
    return PolicyView(
        str(row["arn"]),
        str(row["name"] or row["arn"]),
        str(row["kind"] or "unknown"),
        bool(row["known"]),
        row["document"],
        row["via"],
    )


def _plain(value: Any) -> Any:
    """Neo4j temporal and other driver values as JSON-friendly text."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


def properties_json(properties: Mapping[str, Any]) -> str:
    return json.dumps(properties, sort_keys=True, default=str)
