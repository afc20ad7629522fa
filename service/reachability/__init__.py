"""Reachability: the questions accessgraph answers, over the graph and the evaluator."""

from service.reachability.model import Access, NodeRef, PathStep, TrustFinding
from service.reachability.questions import MAX_HOPS, Reachability
from service.reachability.trusts import CATEGORIES, cross_account_trusts

__all__ = [
    "CATEGORIES",
    "MAX_HOPS",
    "Access",
    "NodeRef",
    "PathStep",
    "Reachability",
    "TrustFinding",
    "cross_account_trusts",
]
