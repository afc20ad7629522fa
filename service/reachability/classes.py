"""Decision classes: the principals of one question that must get the same decision, up to which of their
policies and statements say it. The evaluator decides each class once, for its representative.

The class key is what the decision depends on: the principal's account (or only its organization place:
the SCPs over it, see `classify`), kind, service-linked flag and boundary; the *content* (Effect, Condition)
of its relevant statements whose Resource can match the resource (a statement that cannot match adds
nothing); the results of its principal clauses. A policy variable in a Resource that could match the
resource, or in a condition value, makes the principal an individual: decided on its own. The same content
in several of its policies counts once (OR of equal terms); each of them is a path.

A resource with `*` or `?` is a pattern (see `is_pattern`): the question is whether the principal may act on
some resource it matches, and a statement fits as the evaluator applies it then (`resource_is_pattern`): an
Allow when its Resource can meet the pattern, a Deny only when it covers the pattern.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import NamedTuple

from service.evaluation.context import RequestContext
from service.evaluation.request import Principal, Request
from service.evaluation.statements import CompiledStatement, ResourceSet
from service.evaluation.wildcards import has_wildcard, pattern_covers, patterns_meet, translate
from service.reachability.profiles import Entry, Profile
from service.reachability.signatures import (
    FittedStatement,
    SignatureClass,
    Signatures,
    StatementAt,
    StatementRef,
)

_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class ResourceFit:
    """Whether statements of some Resource/NotResource patterns may match the question's resource, and
    whether that depends on their policy variables (and so on who the principal is)."""

    may_fit: bool
    varies: bool


Fits = Mapping[int, ResourceFit]  # by `_fit_key`


# The keys below are made for every signature class of every question and hashed in every lookup: they
# are NamedTuples (named fields, made and hashed at C speed), read by name only.


class ExtraKey(NamedTuple):
    """What else a question's decision depends on for a principal: for a role trust, what the trust
    policy's principal clauses give for it."""

    individual: str | None  # the principal's ARN, when no clause result can stand for it (a policy variable)
    results: Hashable = None


class DecisionKey(NamedTuple):
    """Equal for principals that get one decision on a question."""

    individual: str | None  # the ARN of a principal decided on its own
    principal_results: int
    extra: ExtraKey | None
    account: str | None  # the principal's account, when the class is by account
    org_place: int | None  # else its organization place
    kind_boundary: int
    contents: frozenset[int]


@dataclass(frozen=True)
class Member:
    """A principal of a decision class, with where its deciding statements are, by content, and where its
    boundary's statements about the action are, in order."""

    profile: Profile
    statements: Mapping[int, tuple[StatementAt, ...]]
    boundary: tuple[StatementAt, ...] = ()

    # (Worked out once for a representative, which is relabelled for every other member of its class.)
    @cached_property
    def content_of(self) -> Mapping[StatementRef, int]:
        """The content of each deciding statement, by policy and index."""
        return {
            StatementRef(at.policy, at.statement): content
            for content, places in self.statements.items()
            for at in places
        }

    @cached_property
    def boundary_refs(self) -> tuple[StatementRef, ...]:
        return tuple(StatementRef(at.policy, at.statement) for at in self.boundary)


class DecisionClass:
    """Principals that get one decision on a question: those of some signature classes (or parts of them),
    with their members made as they are read."""

    __slots__ = (
        "_first",
        "_fits",
        "_pattern",
        "_representative",
        "_signatures",
        "key",
        "parts",
        "size",
        "unknown",
        "unknown_parts",
    )

    def __init__(self, key: DecisionKey, signatures: Signatures, fits: Fits, pattern: bool = False) -> None:
        self.key, self._signatures, self._fits, self._pattern = key, signatures, fits, pattern
        self.parts: list[list[Entry]] = []
        self.unknown_parts: list[list[Entry]] = []
        self.size = 0
        self.unknown = 0  # members holding a policy or boundary whose document is not loaded
        self._first: Entry | None = None
        self._representative: Member | None = None

    def add(self, entries: list[Entry], unknown: list[Entry]) -> None:
        self.parts.append(entries)
        self.size += len(entries)
        if self._first is None or entries[0].arn < self._first.arn:
            self._first = entries[0]
        if unknown:
            self.unknown_parts.append(unknown)
            self.unknown += len(unknown)

    def copy(self) -> DecisionClass:
        """The same class, with its members made anew as they are read (a member's answer relabels the
        shared decision unless the member is the very one it was made for: see `ClassAnswers.answer`)."""
        copied = DecisionClass(self.key, self._signatures, self._fits, self._pattern)
        copied.parts, copied.unknown_parts = self.parts, self.unknown_parts
        copied.size, copied.unknown, copied._first = self.size, self.unknown, self._first
        return copied

    @property
    def representative(self) -> Member:
        """The member (of the least ARN) for whom the class is decided."""
        if self._representative is None:
            assert self._first is not None, "a decision class has members"
            self._representative = member(self._signatures, self._first.profile, self._fits, self._pattern)
        return self._representative

    def member(self, profile: Profile) -> Member:
        representative = self.representative
        if profile is representative.profile:
            return representative
        return member(self._signatures, profile, self._fits, self._pattern)

    def entries(self, *, unknown_only: bool = False) -> Iterator[Entry]:
        """The members in ARN order; with `unknown_only`, those with a policy (or boundary) whose document is
        not loaded."""
        parts = self.unknown_parts if unknown_only else self.parts
        return iter(parts[0]) if len(parts) == 1 else heapq.merge(*parts)


def classify(
    signatures: Signatures,
    classes: Iterable[SignatureClass],
    resource: str,
    extra: Callable[[Profile], ExtraKey] | None = None,
    *,
    by_account: bool = True,
    extra_by_account: bool = False,
    leave_out: AbstractSet[str] = frozenset(),
) -> list[DecisionClass]:
    """The principals of the signature classes in decision classes, for the action of `signatures` on
    `resource`.

    `extra` adds to the key what else the decision depends on (for a role trust: what its principal clauses
    give for the principal); `extra_by_account` says it is the same for every principal of an account. The
    principals of `leave_out` are left out.

    Without `by_account`, principals of different accounts share a class when their accounts have the same
    organization place: for a decision without a resource policy, whose resource is in the caller's account
    (or all candidates are of the resource's account), the account matters only through that and through
    the account-level condition keys, whose clause results are in the key like the principal-level ones."""
    fits: dict[int, ResourceFit] = {}
    pattern = is_pattern(resource)
    context = _resource_only_context(resource)
    found: dict[DecisionKey, DecisionClass] = {}
    extras: dict[str, ExtraKey] = {}  # by account, with `extra_by_account`
    one_by_one = extra is not None and not extra_by_account

    def join(key: DecisionKey, entries: list[Entry], unknown: list[Entry]) -> None:
        decision_class = found.get(key)
        if decision_class is None:
            decision_class = found[key] = DecisionClass(key, signatures, fits, pattern)
        decision_class.add(entries, unknown)

    for signature_class in classes:
        entries, unknown = signature_class.entries, signature_class.unknown
        if leave_out and not leave_out.isdisjoint(signature_class.arns):
            entries = [entry for entry in entries if entry.arn not in leave_out]
            unknown = [entry for entry in unknown if entry.arn not in leave_out]
            if not entries:
                continue
        signature = signature_class.signature
        contents, individual = signature.key.fit_everywhere, signature.individual
        if signature.fitted:
            fitting = set(contents)
            for fitted in signature.fitted:
                fit_key = _fit_key(fitted, pattern)
                fit = fits.get(fit_key)
                if fit is None:
                    fit = fits[fit_key] = _fit(fitted.compiled, resource, context, pattern)
                if fit.may_fit:
                    fitting.add(fitted.content)
                    individual = individual or fit.varies
            contents = frozenset(fitting)
        account = signature_class.account if by_account else None
        org_place = None if by_account else signature_class.org_place
        if individual or one_by_one:
            for entry in entries:
                profile = entry.profile
                key = DecisionKey(
                    profile.arn if individual else None,
                    signature.principal_results,
                    None if extra is None else extra(profile),
                    account,
                    org_place,
                    signature.kind_boundary,
                    contents,
                )
                join(key, [entry], [entry] if profile.unknown_policies else [])
            continue
        shared_extra: ExtraKey | None = None
        if extra is not None:
            shared_extra = extras.get(signature_class.account)
            if shared_extra is None:
                shared_extra = extras[signature_class.account] = extra(entries[0].profile)
        key = DecisionKey(
            None, signature.principal_results, shared_extra, account, org_place, signature.kind_boundary, contents
        )
        join(key, entries, unknown)
    return list(found.values())


def member(signatures: Signatures, profile: Profile, fits: Fits, pattern: bool = False) -> Member:
    """The principal as a member of a decision class of a question whose resource fits are `fits` (made for a
    resource pattern, with `pattern`)."""
    signature = signatures.of(profile)
    placed = signature.fit_everywhere
    if signature.fitted:
        placed = dict(placed)
        for fitted in signature.fitted:
            if fits[_fit_key(fitted, pattern)].may_fit and fitted.at not in (places := placed.get(fitted.content, ())):
                placed[fitted.content] = (*places, fitted.at)
    return Member(profile, placed, signatures.boundary(profile.boundary).at)


def _resource_only_context(resource: str) -> RequestContext:
    """A context for matching Resource patterns without policy variables, which never consult it."""
    nobody = Principal(arn="arn:aws:iam::000000000000:user/nobody", account_id="000000000000", kind="user")
    return RequestContext(Request(principal=nobody, action="none:none", resource=resource))


def is_pattern(resource: str) -> bool:
    """Whether a question's resource is a pattern (`*`, `arn:aws:s3:::logs/*`): a question about some resource
    it matches."""
    return has_wildcard(resource)


def _fit_key(fitted: FittedStatement, pattern: bool) -> int:
    """Where a statement's fit is kept: by its patterns; on a pattern question, where an Allow and a Deny of
    the same patterns fit differently, a Deny's apart (as a negative number)."""
    if pattern and fitted.compiled.statement.effect == "Deny":
        return -1 - fitted.patterns
    return fitted.patterns


def fit_of(cs: CompiledStatement, resource: str) -> ResourceFit:
    """How a statement fits one resource (not a pattern), as `classify` fits it."""
    return _fit(cs, resource, _resource_only_context(resource), False)


def _fit(cs: CompiledStatement, resource: str, context: RequestContext, pattern: bool) -> ResourceFit:
    if pattern:
        return _pattern_fit(cs, resource)
    return ResourceFit(_may_fit(cs, resource, context), _varies(cs, resource))


def _pattern_fit(cs: CompiledStatement, query: str) -> ResourceFit:
    """Whether the statement may apply to some resource of the pattern `query`, as the evaluator applies it
    on a pattern question: an Allow when its Resource meets the pattern (its NotResource does not cover it),
    a Deny only when its Resource covers the pattern (its NotResource meets none of it). A pattern with policy
    variables may fit and makes the fit depend on the principal: what its variables stand for is not read
    here."""
    deny = cs.statement.effect == "Deny"
    if cs.resources is not None:
        patterns, wanted = cs.resources, True
    elif cs.not_resources is not None:
        patterns, wanted = cs.not_resources, False
    else:
        return ResourceFit(True, False)
    if patterns.variable_patterns:
        return ResourceFit(True, True)
    if patterns.everything:
        return ResourceFit(wanted, False)
    # Resource: Allow meets, Deny covers; NotResource: an Allow is out when it covers, a Deny when it meets.
    covers = deny == wanted
    hit = any(pattern_covers(p, query) if covers else patterns_meet(p, query) for p in patterns.static)
    return ResourceFit(hit == wanted, False)


def _may_fit(cs: CompiledStatement, resource: str, context: RequestContext) -> bool:
    """Whether the statement's Resource/NotResource can match `resource`, for some principal. A pattern
    with policy variables counts as matching when it could for some values of its variables."""
    if cs.resources is not None:
        return cs.resources.match(resource, context) is not False or _could_match(cs.resources, resource)
    if cs.not_resources is not None:
        # A NotResource excludes the resource only when a static pattern matches it.
        return cs.not_resources.match(resource, context) is not True or bool(cs.not_resources.variable_patterns)
    return True


def _varies(cs: CompiledStatement, resource: str) -> bool:
    """Whether the statement's Resource/NotResource matching `resource` depends on its policy variables
    (and so on who the principal is)."""
    if cs.resources is not None:
        return _could_match(cs.resources, resource)
    return cs.not_resources is not None and bool(cs.not_resources.variable_patterns)


def _could_match(resources: ResourceSet, resource: str) -> bool:
    """Whether a pattern with policy variables matches `resource` for some values of the variables: each
    `${...}` read as a wildcard for anything."""
    return any(_open_pattern(pattern).fullmatch(resource) for pattern in resources.variable_patterns)


@lru_cache(maxsize=4096)
def _open_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(translate(_VARIABLE.sub("*", pattern), segmented=False, escaped=False), re.DOTALL)


_arn = attrgetter("arn")
