"""access: one principal's decision on one request, with its explanation."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from service.errors import QueryError
from service.evaluation.decision import Reason
from service.evaluation.engine import Decision
from service.reachability.decide import Target, decide
from service.reachability.model import NodeRef
from service.reachability.profiles import Profile
from service.reachability.resources import loaded_resource, no_policy_note
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
    elif (loaded := await loaded_resource(assumers.view.source, resource)) is not None:
        if resource_account is not None and resource_account != loaded.account_id:
            raise QueryError(f"{resource} is loaded in account {loaded.account_id}, not {resource_account}")
        decision = decide(profile, action, loaded.target(resource, await assumers.view.org_context(loaded.account_id)))
    else:
        account = resource_account_of(resource, resource_account)
        org = await assumers.view.org_context(account) if account else None
        decision = decide(profile, action, Target(resource, account, org, None, "generic"))
        if (note := no_policy_note(resource)) is not None and await assumers.view.resources_loaded():
            decision = replace(
                decision, explanation=(*decision.explanation, Reason("", "resource", None, None, None, note))
            )
    return AccessDecision(profile.ref, decision, profile)
