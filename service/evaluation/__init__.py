"""IAM policy evaluation: plain data in, a decision and its reasons out. No I/O.

`parse_policy` turns documents into `Policy` values; `evaluate` decides one `Request` against the
policies that apply to it the way AWS does, and returns the conditions it could not decide as a small
boolean formula (`Test`, `All`, `AnyOf`, `Not`) rather than guessing.
"""

from __future__ import annotations

from .engine import RESOURCE_KINDS, Decision, DecisionKind, Reason, ResourceKind, evaluate
from .formula import All, AnyOf, Cond, Condition, Leaf, Not, Test, conj, describe, disj, leaves, neg
from .parser import CONDITION_OPERATORS, PolicyKind, check_policy_kind, parse_policy
from .policy import ConditionClause, Policy, PrincipalSet, Statement
from .principals import PrincipalMatch, match_not_principal, match_principal
from .request import PRINCIPAL_KINDS, Principal, PrincipalKind, Request, principal_from_arn
from .wildcards import action_matches, arn_like, resource_matches, string_like

__all__ = [
    "CONDITION_OPERATORS",
    "PRINCIPAL_KINDS",
    "RESOURCE_KINDS",
    "All",
    "AnyOf",
    "Cond",
    "Condition",
    "ConditionClause",
    "Decision",
    "DecisionKind",
    "Leaf",
    "Not",
    "Policy",
    "PolicyKind",
    "Principal",
    "PrincipalKind",
    "PrincipalMatch",
    "PrincipalSet",
    "Reason",
    "Request",
    "ResourceKind",
    "Statement",
    "Test",
    "action_matches",
    "arn_like",
    "check_policy_kind",
    "conj",
    "describe",
    "disj",
    "evaluate",
    "leaves",
    "match_not_principal",
    "match_principal",
    "neg",
    "parse_policy",
    "principal_from_arn",
    "resource_matches",
    "string_like",
]
