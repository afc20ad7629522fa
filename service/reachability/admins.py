"""Administrators: the principals allowed every action on every resource of their account.

The definition (docs/escalation.md, "Who is an administrator"): a user or role is an administrator of its
account when the evaluator, asked whether it may do the action `*` on the resource `*` in its own account,
answers Allowed (or Allowed on conditions, which the answer keeps), where

- an Allow counts only when it COVERS every action and every resource: its Action has a pattern covering
  every action (`*`) and its Resource one covering every resource (`*`); an Allow with NotAction or
  NotResource never covers everything, so it counts for nothing here;
- a Deny counts when it MEETS any action on any resource: every Deny statement (with its Condition) counts,
  except one whose NotAction or NotResource leaves nothing (`NotAction: "*"`, `NotResource: "*"`);
- identity policies (its own and its groups') and its permissions boundary are read this way, each as the
  evaluator reads it (a boundary must itself allow `*` on `*`);
- the SCPs over its account are the account's ceiling: each level must allow `*` on `*` the same way, but an
  SCP Deny WITHOUT a Condition limits every principal of the account alike (an organization's guardrail,
  such as denying organizations:LeaveOrganization), so it does not count: an administrator is allowed
  everything the account may do at all. A conditional SCP Deny counts (it can exempt some principals, such
  as a break-glass role named in aws:PrincipalArn), with its condition.

The policies are rewritten to say exactly that (every other statement keeps its index but can match
nothing), and the evaluator decides the literal request `*` on `*` against them: conditions, unloaded
policies and explanations come out as they do for every other question.

Principals are decided once per decision class: those holding the same rewritten policies, under the same
boundary and SCPs, of the same kind, get the same decision, unless a counted statement has a Condition
that could depend on who the principal is (a key naming the principal, its account or organization, or a
policy variable: `clauses.principal_key`): then the principal is decided on its own. A Condition on
anything else (the region, MFA, the source address...) reads the same for every principal: the class then
holds the same policies (the same ARNs, since the condition's text names them), not only the same
documents.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from service.evaluation.context import RequestContext
from service.evaluation.engine import Decision, evaluate
from service.evaluation.formula import Cond
from service.evaluation.policy import Policy, Statement
from service.evaluation.request import Request
from service.evaluation.statements import PolicyType, compiled
from service.evaluation.wildcards import pattern_covers
from service.reachability.clauses import principal_clauses_of, principal_key
from service.reachability.decide import access_from
from service.reachability.model import Access
from service.reachability.paths import identity_paths
from service.reachability.profiles import AccountEntry, OrgContext, Profile

EVERY_ACTION = "*"
EVERY_RESOURCE = "*"
# Matches no action: a statement that says nothing about `*` on `*` keeps its index (for the explanation).
_NO_ACTION = ("accessgraph:none",)
_CACHE_KEY = "accessgraph:admin-view"
_SCP_CACHE_KEY = "accessgraph:admin-scp-view"


@dataclass(frozen=True, slots=True)
class AdminView:
    """A policy as the admin question reads it, and whether it has a counted statement at all (an Allow
    that covers everything, a Deny that meets anything), whether one of those has a Condition, and whether
    such a Condition may read something of the principal (`individual`)."""

    policy: Policy
    counts: bool
    conditional: bool
    allows: bool = False  # an Allow that covers everything: without one in some identity policy, no admin
    individual: bool = False


def covers_everything(patterns: tuple[str, ...] | None, everything: str) -> bool:
    return patterns is not None and any(pattern_covers(p, everything) for p in patterns)


def _admin_statement(statement: Statement) -> Statement | None:
    """The statement as it reads for `*` on `*`; None when it says nothing about it."""
    if statement.effect == "Allow":
        if covers_everything(statement.actions, EVERY_ACTION) and covers_everything(
            statement.resources, EVERY_RESOURCE
        ):
            return replace(statement, actions=(EVERY_ACTION,), resources=(EVERY_RESOURCE,))
        return None
    if covers_everything(statement.not_actions, EVERY_ACTION) or covers_everything(
        statement.not_resources, EVERY_RESOURCE
    ):
        return None
    return replace(
        statement, actions=(EVERY_ACTION,), not_actions=None, resources=(EVERY_RESOURCE,), not_resources=None
    )


def admin_view(policy: Policy, *, scp: bool = False) -> AdminView:
    """The policy as the admin question reads it, worked out once per policy object. With `scp`, a Deny
    without a Condition says nothing (it is the account's ceiling, the same for every principal)."""
    cache_key = _SCP_CACHE_KEY if scp else _CACHE_KEY
    found = policy.compiled_cache.get(cache_key)
    if isinstance(found, AdminView):
        return found
    statements: list[Statement] = []
    counts = conditional = allows = individual = False
    for statement in policy.statements:
        ceiling = scp and statement.effect == "Deny" and not statement.conditions
        found = None if ceiling else _admin_statement(statement)
        if found is None:
            statements.append(
                replace(
                    statement, actions=_NO_ACTION, not_actions=None, resources=(EVERY_RESOURCE,), not_resources=None
                )
            )
            continue
        statements.append(found)
        counts = True
        allows = allows or found.effect == "Allow"
        conditional = conditional or bool(statement.conditions)
        individual = individual or _reads_the_principal(statement)
    found = AdminView(replace(policy, statements=tuple(statements)), counts, conditional, allows, individual)
    policy.compiled_cache[cache_key] = found
    return found


def _reads_the_principal(statement: Statement) -> bool:
    """Whether the statement's Condition may give each principal a result of its own."""
    return any(
        principal_key(clause.key_lower) or any("${" in value for value in clause.values)
        for clause in statement.conditions
    )


class _ClassKey(NamedTuple):
    individual: str | None
    kind: str
    service_linked: bool
    identity: tuple[int, ...]  # ids of the admin views of the policies that count
    boundary: int | None
    org: int
    unknown: bool


@dataclass(frozen=True, slots=True)
class _OrgViews:
    levels: tuple[tuple[Policy, ...], ...] | None
    conditional: bool
    individual: bool = False


def _org_views(org: OrgContext) -> _OrgViews:
    if not org.scp_levels:
        return _OrgViews(None, False)
    views = [[admin_view(p, scp=True) for p in level] for level in org.scp_levels]
    conditional = any(v.conditional for level in views for v in level)
    individual = any(v.individual for level in views for v in level)
    return _OrgViews(tuple(tuple(v.policy for v in level) for level in views), conditional, individual)


def admin_decision(profile: Profile, org: _OrgViews | None = None) -> Decision:
    """The evaluator's decision on `*` on `*` for the principal, under the admin reading of its policies."""
    org = org or _org_views(profile.org)
    boundary = profile.boundary_policies
    return evaluate(
        Request(
            principal=profile.principal,
            action=EVERY_ACTION,
            resource=EVERY_RESOURCE,
            resource_account=profile.account_id,
        ),
        identity_policies=[admin_view(p).policy for p in profile.identity_policies],
        permissions_boundaries=[admin_view(p).policy for p in boundary] if boundary else None,
        service_control_policies=org.levels,
    )


def admins_of(entries: Iterable[AccountEntry]) -> list[Access]:
    """The administrators among the entries' principals, in ARN order, each with the paths of its grants."""
    found: list[Access] = []
    decided: dict[_ClassKey, Decision] = {}
    orgs: dict[int, _OrgViews] = {}
    for entry in entries:
        org = orgs.get(id(entry.org))
        if org is None:
            org = orgs[id(entry.org)] = _org_views(entry.org)
        for profile in entry.profiles.values():
            views = [admin_view(p) for p in profile.identity_policies]
            unknown = bool(profile.unknown_policies)
            if not unknown and not any(v.allows for v in views):
                continue  # no identity policy allows `*` on `*` (boundaries and SCPs only take away)
            boundary = profile.boundary_policies
            boundary_view = admin_view(boundary[0]) if boundary else None
            key = _ClassKey(
                profile.arn if _individual(org, views, boundary_view) or unknown else None,
                profile.kind,
                profile.is_service_linked,
                tuple(id(v) for v in views if v.counts),
                id(boundary_view) if boundary_view else None,
                id(entry.org),
                unknown,
            )
            decision = decided.get(key)
            if decision is None:
                decision = decided[key] = admin_decision(profile, org)
            access = access_from(profile, decision)
            if access is not None:
                found.append(replace(access, paths=tuple(identity_paths(profile, decision))))
    found.sort(key=lambda access: access.principal.arn)
    return found


def is_admin(profile: Profile) -> Access | None:
    """The principal's admin answer (None: not an administrator)."""
    decision = admin_decision(profile)
    access = access_from(profile, decision)
    return None if access is None else replace(access, paths=tuple(identity_paths(profile, decision)))


class AdminDecisions:
    """`is_admin`'s condition and notes (not its paths), decided once per class of principals: those of the
    same kind, under the same organization place, whose policies and boundary that count for `*` on `*`
    say the same (by their documents), when none of those has a Condition and none is unknown. The others
    are decided one by one. Kept per generation by the caller (an escalation makes a principal with one
    more policy: thousands of them hold the same documents)."""

    def __init__(self) -> None:
        self._decided: dict[Hashable, Decision] = {}
        self._orgs: dict[int, tuple[OrgContext, _OrgViews]] = {}
        self._profiles: dict[int, tuple[Profile, Access | None]] = {}
        self._results: dict[tuple[int, str], tuple[bool, ...] | None] = {}

    def of(self, profile: Profile) -> Access | None:
        """The principal's admin answer, without paths (None: not an administrator). Kept per principal
        object too: an escalation's changed principal is made once per binding and shared by its actors,
        and one whose decision is individual (a Condition) would be decided again for each."""
        kept = self._profiles.get(id(profile))
        if kept is not None and kept[0] is profile:
            return kept[1]
        found = self._of(profile)
        self._profiles[id(profile)] = (profile, found)
        return found

    def _of(self, profile: Profile) -> Access | None:
        held = self._orgs.get(id(profile.org))
        if held is None or held[0] is not profile.org:
            held = self._orgs[id(profile.org)] = (profile.org, _org_views(profile.org))
        org = held[1]
        refs = [ref for ref in profile.policies if ref.loaded]
        views = [admin_view(p) for p in profile.identity_policies]
        unknown = bool(profile.unknown_policies)
        if not unknown and not any(v.allows for v in views):
            return None  # no identity policy allows `*` on `*`
        boundary = profile.boundary_policies
        boundary_view = admin_view(boundary[0]) if boundary else None
        conditional = (
            org.conditional or any(v.conditional for v in views) or bool(boundary_view and boundary_view.conditional)
        )
        results: tuple[bool, ...] | None = ()
        if _individual(org, views, boundary_view) and not unknown:
            # (what its Conditions about the principal give it: the same, then decided alike; the SCPs' and
            # the boundary's part is kept per principal, an escalation's changed principal being the same one)
            whose = (id(profile.org), profile.arn)
            if whose not in self._results:
                scps: list[tuple[Policy, PolicyType]] = [(p, "scp") for level in org.levels or () for p in level]
                own: list[tuple[Policy, PolicyType]] = (
                    [(boundary_view.policy, "boundary")] if boundary_view and boundary_view.individual else []
                )
                self._results[whose] = _principal_results(profile, [*scps, *own])
            results = self._results[whose]
            identity: list[tuple[Policy, PolicyType]] = [(v.policy, "identity") for v in views if v.individual]
            if results is not None and identity:
                more = _principal_results(profile, identity)
                results = None if more is None else (*results, *more)
        if unknown or results is None:
            return access_from(profile, admin_decision(profile, org))
        assert profile.boundary is None or boundary_view is not None
        # Without a Condition the decision reads nothing but the documents; a Condition's text names the
        # policy it is in (by ARN): such a policy counts by its ARN too.
        key = (
            profile.kind,
            profile.is_service_linked,
            tuple(
                sorted(
                    (ref.arn if view.conditional else "", ref.document or "")
                    for ref, view in zip(refs, views, strict=True)
                    if view.counts
                )
            ),
            (profile.boundary.arn if conditional else "", profile.boundary.document)
            if profile.boundary is not None
            else None,
            id(profile.org),
            results,
        )
        decision = self._decided.get(key)
        if decision is None:
            decision = self._decided[key] = admin_decision(profile, org)
        return access_from(profile, decision)


def _individual(org: _OrgViews, views: Sequence[AdminView], boundary: AdminView | None) -> bool:
    """Whether a Condition of a counted statement may give the principal a result of its own."""
    return org.individual or any(v.individual for v in views) or bool(boundary and boundary.individual)


def _principal_results(profile: Profile, read: Sequence[tuple[Policy, PolicyType]]) -> tuple[bool, ...] | None:
    """What the Conditions about the principal (its ARN, tags, account...) of these policies' statements give
    for it, in statement order: two principals with the same policies and the same results are decided alike
    (a break-glass SCP exempting one role by aws:PrincipalArn gives every other principal False). None when
    one of them is no plain True or False (a policy variable, a key the data does not hold): decided alone."""
    context = RequestContext(
        Request(
            principal=profile.principal,
            action=EVERY_ACTION,
            resource=EVERY_RESOURCE,
            resource_account=profile.account_id,
        )
    )
    results: list[Cond] = []
    for policy, policy_type in read:
        for cs in compiled(policy, policy_type).statements:
            if principal_clauses_of(cs, profile, context, results):
                return None
    if not all(isinstance(result, bool) for result in results):
        return None
    return tuple(bool(result) for result in results)


def admin_profiles(answers: Sequence[Access]) -> frozenset[str]:
    return frozenset(access.principal.arn for access in answers if access.condition is None)
