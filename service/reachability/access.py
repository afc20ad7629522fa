"""access: one principal's decision on one request, with its explanation."""

from __future__ import annotations

from typing import NamedTuple

from service.errors import QueryError
from service.evaluation.engine import Decision
from service.reachability.decide import Target, decide
from service.reachability.model import NodeRef
from service.reachability.profiles import Profile
from service.reachability.who_can import is_assume, resource_account_of
from service.reachability.who_can_assume import Assumers


class AccessDecision(NamedTuple):
    """The decision, on whom (as the answer shows it), and the principal as evaluated."""

    principal: NodeRef
    decision: Decision
    profile: Profile


async def access(
    assumers: Assumers, principal_arn: str, action: str, resource: str, resource_account: str | None
) -> AccessDecision:
    profile = (await assumers.view.profiles([principal_arn])).get(principal_arn)
    if profile is None:
        raise QueryError(f"no user or role {principal_arn!r} in the graph")
    role = await assumers.role(resource) if is_assume(action) else None
    if role is not None:
        decision = decide(profile, action, Target.role(role))
    else:
        account = resource_account_of(resource, resource_account)
        org = await assumers.view.org_context(account) if account else None
        decision = decide(profile, action, Target(resource, account, org, None, "generic"))
    return AccessDecision(profile.ref, decision, profile)
