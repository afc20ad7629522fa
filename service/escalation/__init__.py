"""The privilege-escalation catalogue: which techniques exist, as data, keyed by pathfinding.cloud id.

`load_catalogue()` returns every `Technique` (the actions that must be allowed and with which request
context, the prerequisites, the `Outcome`); `Technique.decided_by` says whether IAM data alone decides
it, or credential state, or resource inventories. Nothing here evaluates policies: a checker binds
each template to graph entities and asks the evaluator about every `RequiredAction`.
"""

from __future__ import annotations

from .catalogue import CatalogueError, load_catalogue, parse_catalogue
from .model import (
    WILDCARD,
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

__all__ = [
    "WILDCARD",
    "Catalogue",
    "CatalogueError",
    "ContextValue",
    "Evidence",
    "Gain",
    "Outcome",
    "Placeholder",
    "PolicyOrigin",
    "Prerequisite",
    "RequiredAction",
    "Source",
    "TargetKind",
    "Technique",
    "load_catalogue",
    "parse_catalogue",
    "placeholder_of",
]
