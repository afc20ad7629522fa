"""Statements compiled for fast matching, and whether one statement applies to a request.

Each policy is compiled once per policy type (the type goes into every undecided `Test`, so the answer
can say which policy kind asked for it) and the result is cached on the `Policy` object. Action patterns
are lower-cased once and exact names go into a set; wildcard patterns are joined into one regex.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .context import RequestContext
from .formula import Cond, Test, conj, disj, neg
from .operators import evaluate_clause
from .parser import check_policy_kind
from .policy import ConditionClause, Policy, Statement
from .variables import Absent, Unresolved, has_variables, substitute_text
from .wildcards import has_wildcard, pattern_covers, patterns_meet, resource_regex, translate

PolicyType = Literal["identity", "boundary", "scp", "rcp", "resource", "session"]


class ActionSet:
    """An `Action`/`NotAction` list: matches a lower-cased action name."""

    __slots__ = ("everything", "exact", "regex")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        lowered = [p.lower() for p in patterns]
        self.everything = "*" in lowered
        self.exact = frozenset(p for p in lowered if not has_wildcard(p))
        wild = [translate(p, segmented=False, escaped=False) for p in lowered if has_wildcard(p)]
        self.regex = re.compile("|".join(f"(?:{w})" for w in wild), re.DOTALL) if wild else None

    def matches(self, action_lower: str) -> bool:
        if self.everything or action_lower in self.exact:
            return True
        return self.regex is not None and self.regex.fullmatch(action_lower) is not None


class ResourceSet:
    """A `Resource`/`NotResource` list; patterns with policy variables are substituted per request."""

    __slots__ = ("everything", "exact", "make_test", "regex", "static", "variable_patterns")

    def __init__(self, patterns: tuple[str, ...], *, variables: bool, make_test: _TestFactory) -> None:
        with_vars = tuple(p for p in patterns if variables and has_variables(p))
        static = [p for p in patterns if p not in with_vars]
        self.static = tuple(static)
        self.everything = "*" in static
        self.exact = frozenset(p for p in static if not has_wildcard(p))
        wild = [translate(p, segmented=True, escaped=False) for p in static if has_wildcard(p)]
        self.regex = re.compile("|".join(f"(?:{w})" for w in wild), re.DOTALL) if wild else None
        self.variable_patterns = with_vars
        self.make_test = make_test

    def match(self, resource: str, ctx: RequestContext) -> Cond:
        if self.everything or resource in self.exact:
            return True
        if self.regex is not None and self.regex.fullmatch(resource) is not None:
            return True
        if not self.variable_patterns:
            return False
        return self._with_variables(ctx, lambda pattern: resource_regex(pattern, True).fullmatch(resource) is not None)

    def match_pattern(self, query: str, ctx: RequestContext, *, every: bool) -> Cond:
        """For a request about a resource *pattern*: whether some resource of `query` is in the set (`every`
        False), or every one is (`every` True; a union of several patterns covering it is not seen)."""
        if self.everything:
            return True

        def hit(pattern: str, escaped: bool) -> bool:
            if every:
                return pattern_covers(pattern, query, outer_escaped=escaped)
            return patterns_meet(pattern, query, left_escaped=escaped)

        if any(hit(p, False) for p in self.static):
            return True
        return self._with_variables(ctx, lambda expanded: hit(expanded, True))

    def _with_variables(self, ctx: RequestContext, hit: Callable[[str], bool]) -> Cond:
        """The patterns with policy variables, substituted from the request: True when an expansion hits;
        otherwise, for each variable the request leaves unknown, the test "the resource matches this pattern
        once ${key} is known" (kept, never guessed)."""
        undecided: list[Cond] = []
        for pattern in self.variable_patterns:
            expanded = substitute_text(pattern, ctx.lookup_variable)
            if isinstance(expanded, Absent):
                continue
            if isinstance(expanded, Unresolved):
                undecided.append(self.make_test(expanded.key, "ResourceMatchesWithVariable", (pattern,)))
                continue
            if any(hit(p) for p in expanded):
                return True
        return disj(undecided)


class _TestFactory:
    __slots__ = ("index", "policy", "policy_type", "sid")

    def __init__(self, policy: str, statement: Statement, policy_type: PolicyType) -> None:
        self.policy, self.index, self.sid, self.policy_type = policy, statement.index, statement.sid, policy_type

    def __call__(self, key: str, operator: str, values: tuple[str, ...]) -> Test:
        return Test(key, operator, values, self.policy, self.index, self.sid, self.policy_type)


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    statement: Statement
    actions: ActionSet | None
    not_actions: ActionSet | None
    resources: ResourceSet | None
    not_resources: ResourceSet | None
    clauses: tuple[tuple[ConditionClause, Test], ...]
    variables: bool
    make_test: _TestFactory

    def applies(self, resource: str, ctx: RequestContext, *, pattern: bool = False) -> Cond:
        """Whether Resource and Condition hold, for a statement whose action matched (see
        `CompiledPolicy.for_action`; Principal is matched by the caller).

        With `pattern`, `resource` is a pattern and the question is about some resource it matches: an Allow
        applies when it can reach one of them, a Deny only when it reaches every one.
        """
        resource_cond: Cond = True
        if pattern:
            deny = self.statement.effect == "Deny"
            if self.resources is not None:
                resource_cond = self.resources.match_pattern(resource, ctx, every=deny)
            elif self.not_resources is not None:
                resource_cond = neg(self.not_resources.match_pattern(resource, ctx, every=not deny))
        elif self.resources is not None:
            resource_cond = self.resources.match(resource, ctx)
        elif self.not_resources is not None:
            resource_cond = neg(self.not_resources.match(resource, ctx))
        if resource_cond is False:
            return False
        if not self.clauses:
            return resource_cond
        undecided: list[Cond] = [] if resource_cond is True else [resource_cond]
        for clause, origin in self.clauses:
            result = evaluate_clause(clause, ctx, variables=self.variables, origin=origin)
            if result is False:
                return False
            if result is not True:
                undecided.append(result)
        if not undecided:
            return True
        return undecided[0] if len(undecided) == 1 else conj(undecided)

    def matches_action(self, action_lower: str) -> bool:
        if self.actions is not None:
            return self.actions.matches(action_lower)
        return self.not_actions is not None and not self.not_actions.matches(action_lower)


class CompiledPolicy:
    """A policy's compiled statements, with the statements whose Action/NotAction admit an action
    remembered per action name: most statements of a policy are about other actions."""

    __slots__ = ("by_action", "statements")

    _MAX_ACTIONS = 4096

    def __init__(self, statements: tuple[CompiledStatement, ...]) -> None:
        self.statements = statements
        self.by_action: dict[str, tuple[CompiledStatement, ...]] = {}

    def for_action(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        found = self.by_action.get(action_lower)
        if found is None:
            if len(self.by_action) >= self._MAX_ACTIONS:
                self.by_action.clear()
            found = tuple(cs for cs in self.statements if cs.matches_action(action_lower))
            self.by_action[action_lower] = found
        return found


def compiled(policy: Policy, policy_type: PolicyType) -> CompiledPolicy:
    """The policy's statements compiled for `policy_type`, checked once for elements that type forbids.

    Raises:
        PolicyError: e.g. a `Principal` in an identity policy, or a resource policy naming no principal.
    """
    cache = policy.compiled_cache
    found: CompiledPolicy | None = cache.get(policy_type)
    if found is None:
        check_policy_kind(policy, policy_type)
        found = CompiledPolicy(tuple(_compile(policy, st, policy_type) for st in policy.statements))
        cache[policy_type] = found
    return found


def _compile(policy: Policy, st: Statement, policy_type: PolicyType) -> CompiledStatement:
    variables = policy.variables_enabled
    make_test = _TestFactory(policy.name, st, policy_type)

    def resource_set(patterns: tuple[str, ...] | None) -> ResourceSet | None:
        return None if patterns is None else ResourceSet(patterns, variables=variables, make_test=make_test)

    return CompiledStatement(
        statement=st,
        actions=None if st.actions is None else ActionSet(st.actions),
        not_actions=None if st.not_actions is None else ActionSet(st.not_actions),
        resources=resource_set(st.resources),
        not_resources=resource_set(st.not_resources),
        clauses=tuple((c, make_test(c.key, c.operator, c.values)) for c in st.conditions),
        variables=variables,
        make_test=make_test,
    )
