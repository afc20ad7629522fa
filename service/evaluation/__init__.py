"""IAM policy evaluation: plain data in, a decision and its reasons out. No I/O.

`parse_policy` turns documents into `Policy` values; `evaluate` decides one `Request` against the
policies that apply to it the way AWS does, and returns the conditions it could not decide as a small
boolean formula (`Test`, `All`, `AnyOf`, `Not`) rather than guessing.
"""

from __future__ import annotations

from .aws_protected import (
    CALLER_RESTRICTIONS,
    NO_PERMISSION_NEEDED,
    PROTECTIONS,
    CallerRestriction,
    Protection,
    refused_by_aws,
    restricted_for_caller,
)
from .decision import Decision, DecisionKind, Reason, ReasonSource
from .engine import RESOURCE_KINDS, ResourceKind, evaluate, warnings_of
from .formula import All, AnyOf, Cond, Condition, Leaf, Not, Test, conj, describe, disj, leaves, neg
from .organizations import rcp_services, rcps_apply_to
from .parser import CONDITION_OPERATORS, PolicyKind, check_policy_kind, condition_value_warnings, parse_policy
from .policy import ConditionClause, Policy, PolicyWarning, PrincipalSet, Statement
from .principals import PrincipalMatch, match_not_principal, match_principal
from .request import PRINCIPAL_KINDS, Principal, PrincipalKind, Request, principal_from_arn
from .wildcards import action_matches, arn_like, pattern_covers, patterns_meet, resource_matches, string_like

__all__ = [
    "CALLER_RESTRICTIONS",
    "CONDITION_OPERATORS",
    "NO_PERMISSION_NEEDED",
    "PRINCIPAL_KINDS",
    "PROTECTIONS",
    "RESOURCE_KINDS",
    "All",
    "AnyOf",
    "CallerRestriction",
    "Cond",
    "Condition",
    "ConditionClause",
    "Decision",
    "DecisionKind",
    "Leaf",
    "Not",
    "Policy",
    "PolicyKind",
    "PolicyWarning",
    "Principal",
    "PrincipalKind",
    "PrincipalMatch",
    "PrincipalSet",
    "Protection",
    "Reason",
    "ReasonSource",
    "Request",
    "ResourceKind",
    "Statement",
    "Test",
    "action_matches",
    "arn_like",
    "check_policy_kind",
    "condition_value_warnings",
    "conj",
    "describe",
    "disj",
    "evaluate",
    "leaves",
    "match_not_principal",
    "match_principal",
    "neg",
    "parse_policy",
    "pattern_covers",
    "patterns_meet",
    "principal_from_arn",
    "rcp_services",
    "rcps_apply_to",
    "refused_by_aws",
    "resource_matches",
    "restricted_for_caller",
    "string_like",
    "warnings_of",
]
