"""Signatures: what a principal's decisions on one action depend on beyond its account, worked out once per
action and load; and signature classes, the principals of an account whose signatures are equal up to
statement locations. A question then fits each signature class to its resource once, not each principal.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from service.evaluation.context import RequestContext
from service.evaluation.formula import Cond
from service.evaluation.policy import ConditionClause, Policy
from service.evaluation.request import Request
from service.evaluation.statements import CompiledStatement, PolicyType, compiled
from service.reachability.candidates import ActionPolicies, Kept, loaded_document
from service.reachability.clauses import (
    ResourcePatterns,
    principal_clauses_of,
    resource_independent,
)
from service.reachability.profiles import AccountEntry, Entry, OrgContext, PolicyRef, Profile, parsed
from service.reachability.snapshot import freeze

_FREEZE_AFTER = 5000  # signatures newly made for an action before the garbage collector is spared them


class StatementAt(NamedTuple):
    """Where a statement is: its policy (ARN), its index in the policy, its Sid."""

    policy: str
    statement: int  # its index in the policy
    sid: str | None


@dataclass(frozen=True, slots=True)
class BoundaryStatement:
    effect: str
    conditions: tuple[ConditionClause, ...]
    patterns: ResourcePatterns


@dataclass(frozen=True, slots=True)
class BoundaryContent:
    """What a boundary says about the action: its statements about it, in order (all the evaluator reads of
    it). A boundary whose document is not loaded is never evaluated: it stands for itself, by ARN."""

    unloaded_arn: str | None
    variables_enabled: bool = False
    statements: tuple[BoundaryStatement, ...] = ()


@dataclass(frozen=True, slots=True)
class BoundarySummary:
    content: BoundaryContent | None
    at: tuple[StatementAt, ...]  # its statements about the action, in order
    resource_independent: bool


_NO_BOUNDARY = BoundarySummary(None, (), True)


@dataclass(frozen=True, slots=True)
class KindAndBoundary:
    kind: str
    service_linked: bool
    boundary: BoundaryContent | None


@dataclass(frozen=True, slots=True)
class OrgPlace:
    """What an account's place in its organization means for a decision: the SCPs at each level (the same
    parsed policies are the same objects: a Policy hashes by identity) and whether it is the management
    account."""

    management: bool
    scp_levels: tuple[tuple[Policy, ...], ...]

    @classmethod
    def of(cls, org: OrgContext) -> OrgPlace:
        return cls(org.is_management_account, tuple(tuple(level) for level in org.scp_levels))


class StatementRef(NamedTuple):
    """A statement by policy and index, as a decision's reasons and tests name it."""

    policy: str
    statement: int  # its index in the policy


class FittedStatement(NamedTuple):
    """A relevant statement whose Resource does not fit everything: fitted to each question's resource."""

    compiled: CompiledStatement
    content: int
    at: StatementAt
    patterns: int  # the number of its `ResourcePatterns`


class ContentPatterns(NamedTuple):
    content: int
    patterns: int


class SignatureKey(NamedTuple):
    """Equal for the principals of one account whose signatures are equal up to statement locations."""

    individual: str | None
    principal_results: int
    kind_boundary: int
    fit_everywhere: frozenset[int]
    fitted: tuple[ContentPatterns, ...]


class Signature(NamedTuple):
    """What one principal's decisions on one action depend on beyond its account: its relevant statements
    (by content, with their locations), the results of its principal clauses, its kind and boundary.

    An individual (a condition value, or a boundary's or SCP's Resource, uses a policy variable) is decided
    on its own."""

    individual: bool
    principal_results: int  # numbered: what its principal clauses give for it
    fit_everywhere: Mapping[int, tuple[StatementAt, ...]]  # statements whose Resource is `*`, by content
    fitted: tuple[FittedStatement, ...]
    kind_boundary: int  # numbered `KindAndBoundary`
    key: SignatureKey


class Numbering:
    """Small numbers for deep hashable values (equal values, equal numbers): class keys are hashed for
    every signature class of every question."""

    __slots__ = ("_numbers",)

    def __init__(self) -> None:
        self._numbers: dict[Hashable, int] = {}

    def __call__(self, value: Hashable) -> int:
        return self._numbers.setdefault(value, len(self._numbers))


class SignatureClass:
    """Principals of one account (ARN order) whose signatures are equal up to statement locations:
    `signature` is the first's."""

    __slots__ = ("account", "arns", "entries", "org_place", "signature", "unknown")

    def __init__(self, profiles: list[Profile], signature: Signature, org_place: int) -> None:
        self.signature = signature
        self.account, self.org_place = profiles[0].account_id, org_place
        self.arns = frozenset(profile.arn for profile in profiles)
        self.entries = [Entry(profile.arn, profile) for profile in profiles]
        # Those holding a policy or boundary whose document is not loaded: an implicit deny may not be one.
        self.unknown = [entry for entry in self.entries if entry.profile.unknown_policies]


@dataclass(frozen=True, slots=True)
class _ClassesOf:
    account: str
    everyone: bool


_arn = attrgetter("arn")


class Signatures:
    """Signatures and signature classes for one action, kept with the `Profile` and `AccountEntry` they were
    made of: an account loaded again gets new ones, the others keep theirs."""

    def __init__(self, policies: ActionPolicies) -> None:
        self.policies = policies
        self.action = policies.action
        self._signatures: dict[str, Kept[Signature]] = {}
        self._boundaries: dict[str, Kept[BoundarySummary]] = {}
        self._classes: dict[_ClassesOf, Kept[list[SignatureClass]]] = {}
        self._made = 0  # signatures made (see `freeze`)
        self.patterns = Numbering()
        self._results = Numbering()
        self._kind_boundary = Numbering()
        self.org_places = Numbering()

    def of(self, profile: Profile) -> Signature:
        held = self._signatures.get(profile.arn)
        if held is not None and held.source is profile:
            return held.value
        action = self.action
        context = RequestContext(Request(principal=profile.principal, action=action, resource="*"))
        results: list[Cond] = []
        everywhere: dict[int, tuple[StatementAt, ...]] = {}
        fitted: list[FittedStatement] = []
        individual = False
        for ref in profile.policies:
            for relevant in self.policies.statements(ref):
                cs, content = relevant.compiled, relevant.content
                at = StatementAt(ref.arn, cs.statement.index, cs.statement.sid)
                if _fits_anything(cs):
                    if at not in (places := everywhere.get(content, ())):
                        everywhere[content] = (*places, at)
                else:
                    fitted.append(FittedStatement(cs, content, at, self.patterns(ResourcePatterns.of(cs))))
                individual = individual or principal_clauses_of(cs, profile, context, results)
        ceilings: list[tuple[Policy, PolicyType]] = [
            *((policy, "boundary") for policy in profile.boundary_policies or ()),
            *((policy, "scp") for level in profile.org.scp_levels for policy in level),
        ]
        for policy, policy_type in ceilings:
            for cs in compiled(policy, policy_type).for_action(action):
                individual = (
                    individual or _variable_resources(cs) or principal_clauses_of(cs, profile, context, results)
                )
        self._made += 1
        principal_results = self._results(tuple(results))
        kind_boundary = self._kind_boundary(
            KindAndBoundary(profile.kind, profile.is_service_linked, self.boundary(profile.boundary).content)
        )
        key = SignatureKey(
            profile.arn if individual else None,
            principal_results,
            kind_boundary,
            frozenset(everywhere),
            tuple(ContentPatterns(f.content, f.patterns) for f in fitted),
        )
        found = Signature(individual, principal_results, everywhere, tuple(fitted), kind_boundary, key)
        self._signatures[profile.arn] = Kept(profile, found)
        return found

    def boundary(self, boundary: PolicyRef | None) -> BoundarySummary:
        """A boundary by what it says about the action, where it says it, and whether that is
        resource-independent. Boundaries that differ elsewhere (in each account's ARN in a statement about
        other actions, say) decide alike, statement for statement."""
        if boundary is None:
            return _NO_BOUNDARY
        document = loaded_document(boundary)
        held = self._boundaries.get(boundary.arn)
        if held is not None and held.source is document:
            return held.value
        if document is not None:
            policy = parsed(boundary)
            statements = compiled(policy, "boundary").for_action(self.action)
            content = BoundaryContent(
                None,
                policy.variables_enabled,
                tuple(
                    BoundaryStatement(cs.statement.effect, cs.statement.conditions, ResourcePatterns.of(cs))
                    for cs in statements
                ),
            )
            at = tuple(StatementAt(boundary.arn, cs.statement.index, cs.statement.sid) for cs in statements)
            found = BoundarySummary(content, at, all(resource_independent(cs) for cs in statements))
        else:
            found = BoundarySummary(BoundaryContent(boundary.arn), (), True)
        self._boundaries[boundary.arn] = Kept(document, found)
        return found

    def classes(self, entries: Iterable[AccountEntry], *, everyone_in: str | None = None) -> list[SignatureClass]:
        """The candidates of the entries (and every principal of account `everyone_in`, if given) in
        signature classes. Worked out once per account and load."""
        found_all: list[SignatureClass] = []
        for entry in entries:
            every = entry.account_id == everyone_in
            key = _ClassesOf(entry.account_id, every)
            held = self._classes.get(key)
            if held is not None and held.source is entry:
                found_all.extend(held.value)
                continue
            made = self._made
            profiles = sorted(entry.profiles.values(), key=_arn) if every else self.policies.candidates(entry)
            found = self._grouped(entry, profiles)
            self._classes[key] = Kept(entry, found)
            if self._made - made > _FREEZE_AFTER:
                freeze()  # what was just learnt about the principals lives as long as the snapshot
            found_all.extend(found)
        return found_all

    def classes_among(self, entry: AccountEntry, profiles: Iterable[Profile]) -> list[SignatureClass]:
        """The signature classes `classes([entry])` puts `profiles` (candidates of the entry) in, with them alone
        as members: for a decision about a few of an account's principals, without every candidate's signature.
        Not kept (the caller keeps what it decides)."""
        return self._grouped(entry, sorted(profiles, key=_arn))

    def _grouped(self, entry: AccountEntry, profiles: Iterable[Profile]) -> list[SignatureClass]:
        """`profiles` (of the entry, in ARN order) in signature classes."""
        alike: dict[SignatureKey, list[Profile]] = {}
        for profile in profiles:
            alike.setdefault(self.of(profile).key, []).append(profile)
        place = self.org_places(OrgPlace.of(entry.org))
        return [SignatureClass(members, self.of(members[0]), place) for members in alike.values()]


def _fits_anything(cs: CompiledStatement) -> bool:
    """A statement whose Resource is `*` (no variables): it fits every resource."""
    return cs.resources is not None and cs.resources.everything and not cs.resources.variable_patterns


def _variable_resources(cs: CompiledStatement) -> bool:
    return any(r is not None and bool(r.variable_patterns) for r in (cs.resources, cs.not_resources))
