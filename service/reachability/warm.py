"""The escalation part of the API's warm-up (`serve`, precomputing by default): the escalation index with every
principal's ways in worked out ahead (escalation/reverse.py), then one question asked as a client would ask
it, so that what a generation's first wide question works out once is not a client's wait.

That question is `whoCanAssume(escalation: true, maxHops: 3)` of an administrator role: every technique of
its account leads to it, so its walk goes over most of the organization, and its last hop decides the
techniques into the principals that every later walk's last hop takes first (the most trusting roles of
every account: reverse.widest_ranks) and reads each account's target classes. At 100k principals that is
some 0.6 s here, and 0.3-0.4 s off the first question a client asks (docs/escalation-questions.md). The role
is the first by ARN that is an administrator (admins.py) and whose trust policy does not admit everyone:
such a role's walk would start from every principal, and cost tens of seconds."""

from __future__ import annotations

import logging
import time

from service.database.source import GraphSource
from service.reachability.admins import is_admin
from service.reachability.escalation.reverse import build_with_ways_in
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from service.reachability.snapshot import freeze

log = logging.getLogger("accessgraph")


async def warm_escalation(index: PrincipalIndex, source: GraphSource) -> None:
    """The escalation index with every principal's ways in worked out ahead (for the generations loads make
    later too), then the first walk (`first_walk`)."""
    index.precompute_escalation = True
    await build_with_ways_in(index, source)  # (which freezes what it built)
    await first_walk(index, source)
    freeze()  # (what the walk kept lives as long as the generation too: keep full collections off it)


async def first_walk(index: PrincipalIndex, source: GraphSource) -> str | None:
    """Ask `whoCanAssume(escalation: true, maxHops: 3)` of the first administrator role (see the module); the
    role asked (None: the organization holds no such role)."""
    reachability = Reachability(source, index)
    role = await _administrator_role(reachability)
    if role is None:
        return None
    started = time.monotonic()
    found = await reachability.who_can_assume(role, max_hops=3, escalation=True)
    log.info(
        "escalation: whoCanAssume of %s asked at warm-up (%d principals) in %.1f s",
        role,
        len(found),
        time.monotonic() - started,
    )
    return role


async def _administrator_role(reachability: Reachability) -> str | None:
    entries = await reachability.view.entries(None)
    for account in sorted(entries):
        profiles = entries[account].profiles
        for arn in sorted(arn for arn, profile in profiles.items() if profile.kind == "role"):
            if is_admin(profiles[arn]) is not None and not (await reachability.assumers.trust_read(arn)).everyone:
                return arn
    return None
