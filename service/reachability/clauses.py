"""What a statement's condition clauses and Resource patterns tell about the requests it decides alike, read
from the condition-key scope table (service/evaluation/scopes.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from service.evaluation.context import RequestContext
from service.evaluation.formula import Cond
from service.evaluation.operators import evaluate_clause
from service.evaluation.policy import ConditionClause
from service.evaluation.scopes import Scope, identifies_principal, scope_of
from service.evaluation.statements import CompiledStatement
from service.reachability.profiles import Profile

_RESOURCE_ACCOUNT = "aws:resourceaccount"


@cache
def principal_key(key_lower: str) -> bool:
    """Whether a clause on the key has a result of its own for each principal (a principal clause): the key
    identifies the principal or its account or organization, or is aws:ResourceAccount, whose value is
    the principal's account when the resource names no account (and the resource's account is in the
    class key otherwise)."""
    return (
        identifies_principal(key_lower)
        or scope_of(key_lower) in (Scope.ACCOUNT, Scope.ORGANIZATION)
        or key_lower == _RESOURCE_ACCOUNT
    )


def principal_clauses(cs: CompiledStatement, context: RequestContext, results: list[Cond]) -> bool:
    """Append to `results` what the statement's principal clauses give for the principal of `context`;
    True when a condition value uses a policy variable: no clause result can stand for that, the principal
    is then an individual. (Resource patterns with variables are fitted per question: see classes.py.)"""
    for clause, origin in cs.clauses:
        if any("${" in value for value in clause.values):
            return True
        if principal_key(clause.key_lower):
            results.append(evaluate_clause(clause, context, variables=cs.variables, origin=origin))
    return False


def principal_clauses_of(cs: CompiledStatement, profile: Profile, context: RequestContext, results: list[Cond]) -> bool:
    """`principal_clauses` for `profile`, the principal of `context`, kept with its organization place
    (`OrgContext.kept`) per statement and principal: a principal clause reads the principal alone (its ARN,
    tags, account, organization), so its results are the same for every action (a break-glass SCP's
    aws:PrincipalArn, read for each action an escalation question decides, and for the admin question)."""
    if not cs.clauses:
        return False
    kept = profile.org.kept
    key = (_CLAUSES, id(cs), profile.arn, context.complete, context.resource_account)
    held = kept.get(key)
    if not (isinstance(held, _Results) and held.statement is cs and held.profile is profile):
        found: list[Cond] = []
        individual = principal_clauses(cs, context, found)
        held = kept[key] = _Results(cs, profile, tuple(found), individual)
    results.extend(held.results)
    return held.individual


_CLAUSES = "principal clauses"


@dataclass(frozen=True, slots=True)
class _Results:
    statement: CompiledStatement
    profile: Profile
    results: tuple[Cond, ...]
    individual: bool


def about_the_account_only(statements: Iterable[CompiledStatement]) -> bool:
    """Whether these statements' clauses look at the principal's account at most (never at who in it it
    is, and with no policy variables): their results are then the same for every principal of an account."""
    return not any(
        identifies_principal(clause.key_lower) or any("${" in value for value in clause.values)
        for cs in statements
        for clause, _ in cs.clauses
    )


def resource_independent_clauses(conditions: Iterable[ConditionClause]) -> bool:
    """Whether the clauses look at nothing but who the principal is and the request: no key of the
    resource's scope (see `resource_independent`)."""
    return all(scope_of(clause.key_lower) is not Scope.RESOURCE for clause in conditions)


@dataclass(frozen=True, slots=True)
class ResourcePatterns:
    """What decides whether a statement's Resource/NotResource matches a resource: its patterns, and
    whether its policy substitutes variables in them."""

    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    variables: bool

    @classmethod
    def of(cls, cs: CompiledStatement) -> ResourcePatterns:
        return cls(cs.statement.resources, cs.statement.not_resources, cs.variables)


def fits_every_resource(cs: CompiledStatement) -> bool:
    """Resource `*`, or none at all (a trust policy's statements are about the role they belong to)."""
    return cs.statement.resources in (None, ("*",)) and cs.statement.not_resources is None


def resource_independent(cs: CompiledStatement) -> bool:
    """Whether the statement decides alike for every resource: its conditions are resource-independent and
    it fits every resource."""
    return resource_independent_clauses(cs.statement.conditions) and fits_every_resource(cs)
