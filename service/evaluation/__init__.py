"""IAM policy evaluation: plain data in, a decision and its reasons out. No I/O.

`parse_policy` turns documents into `Policy` values; `evaluate` decides one `Request` against the
policies that apply to it the way AWS does, and returns the conditions it could not decide.
"""

from __future__ import annotations

from .parser import CONDITION_OPERATORS, PolicyKind, check_policy_kind, parse_policy
from .policy import ConditionClause, Policy, PrincipalSet, Statement

__all__ = [
    "CONDITION_OPERATORS",
    "ConditionClause",
    "Policy",
    "PolicyKind",
    "PrincipalSet",
    "Statement",
    "check_policy_kind",
    "parse_policy",
]
