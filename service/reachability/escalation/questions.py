"""The questions with escalation: whoCanAssume and whoCan (who can get there, by any step), escalations
(what a principal can become or gain) and admins (who is, or can become, an administrator)."""

from __future__ import annotations

from collections.abc import Sequence

from service.errors import QueryError
from service.reachability import who_can as who_can_question
from service.reachability.admins import admins_of
from service.reachability.decide import Target, access_from, decide
from service.reachability.escalation.admitting import admitted_actor_accounts, trust_admits
from service.reachability.escalation.bitwalk import walk_bits
from service.reachability.escalation.graph import (
    assume_changed,
    decide_after_gain,
    escalation_graph,
    gains_to_admin,
    walk_forward,
)
from service.reachability.escalation.joined import Joined
from service.reachability.escalation.reverse import precompute, worked_out
from service.reachability.escalation.steps import Escalation
from service.reachability.escalation.walk import walk_back
from service.reachability.handback import HandBack
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access, NodeRef, both
from service.reachability.paths import identity_paths
from service.reachability.profiles import Profile
from service.reachability.who_can_assume import Assumers


async def who_can_assume(index: PrincipalIndex, assumers: Assumers, role_arn: str, max_hops: int) -> Sequence[Access]:
    await assumers.who_can_assume(role_arn, 1)  # (refuses a pattern or an unknown role, as without escalation)
    role = await assumers.role(role_arn)
    assert role is not None
    graph = await escalation_graph(index, assumers)
    goal = Access(role.ref, None, ((),), (), 0)
    targets = await assumers.view.trust_targets(role.arn)
    after_gain = decide_after_gain(assume_changed(role, trust_admits(role, targets)), role.arn)
    if (ahead := worked_out(graph)) is not None:  # (every principal's ways in worked out ahead: reverse.py)
        return await walk_bits(graph, ahead, goal, max_hops, after_gain, admitted_actor_accounts(role, targets))
    if index.precompute_escalation:
        precompute(graph)  # (a generation a load made since the warm-up: its next questions walk them)
    return await walk_back(graph, [goal], max_hops, after_gain)


async def who_can(
    index: PrincipalIndex,
    assumers: Assumers,
    action: str,
    resource: str,
    max_hops: int,
    resource_account: str | None,
) -> Sequence[Access]:
    # (the answers without escalation, made as they go, and the gains decided: tens of thousands of each at
    # 100k principals, with the event loop handed back: handback.py)
    hand_back = HandBack()
    direct: list[Access] = []
    for access in await who_can_question.who_can(assumers, action, resource, 0, resource_account):
        direct.append(access)
        await hand_back()
    graph = await escalation_graph(index, assumers)
    account = who_can_question.resource_account_of(resource, resource_account)
    org = await assumers.view.org_context(account) if account else None

    def changed(profile: Profile) -> Access | None:
        if account is not None and profile.account_id != account:
            return None
        decision = decide(profile, action, Target(resource, account, org, None, "generic"))
        found = access_from(profile, decision)
        return (
            None
            if found is None
            else Access(found.principal, found.condition, tuple(identity_paths(profile, decision)[:1]), found.notes)
        )

    seeds: list[Access] = []
    have = {access.principal.arn for access in direct}
    for gain in await graph.gains():
        assert gain.after is not None
        await hand_back()
        if gain.actor.arn in have or gain.after.arn != gain.actor.arn or max_hops < 1:
            continue
        if (then := changed(gain.after)) is not None:
            path = (gain.step, *(then.paths[0] if len(then.paths) else ()))
            seeds.append(Access(gain.actor, both(gain.condition, then.condition), (path,), gain.notes, 1))
    reached = await walk_back(graph, direct, max_hops, seeds=seeds)
    return Joined(direct, reached)


async def escalations(index: PrincipalIndex, assumers: Assumers, principal_arn: str, max_hops: int) -> Sequence[Access]:
    if not (await assumers.view.profiles([principal_arn])):
        raise QueryError(f"no user or role {principal_arn!r} in the graph")
    graph = await escalation_graph(index, assumers)
    return await walk_forward(graph, principal_arn, max_hops)


async def admins(
    index: PrincipalIndex, assumers: Assumers, account_id: str | None, escalation: bool, max_hops: int
) -> Sequence[Access]:
    entries = await assumers.view.entries([account_id] if account_id else None)
    if not escalation:
        return admins_of(entries.values())
    graph = await escalation_graph(index, assumers)
    direct = graph.admins_in(entries.values())
    # The goals are the administrators of the accounts asked about (becoming one of another account does not
    # make an administrator of one's own).
    goals = direct
    admins = frozenset(a.principal.arn for a in goals)
    seeds = await gains_to_admin(graph, admins, await graph.gains(entries))
    hand_back = HandBack()  # (every principal of every account asked about: handback.py)
    for account in entries:
        checker = graph.checkers.get(account)
        if checker is None or not checker.using(assumers).changes_some_principal():
            continue
        # (an actor keeps its first escalation: one found already needs no other, so none is decided for it)
        have = {seed.principal.arn for seed in seeds}
        changed: list[Escalation] = []
        for profile in entries[account].profiles.values():
            await hand_back()
            made = await graph.making_admin(profile.arn, admins, have)
            changed += made
            have.update(e.actor.arn for e in made)
        seeds += await gains_to_admin(graph, admins, changed)
    reached = await walk_back(graph, goals, max_hops, seeds=seeds, account=account_id)
    # An administrator of another account is not an administrator of the principal's own: keep those who
    # reach an administrator of their own account (read from the paths' last steps, without making the
    # answers of those not kept).
    arns = reached.arns
    if account_id is not None:
        arns = [arn for arn in arns if reached.account_of(arn) == account_id]
    wanted = [
        arn
        for arn in arns
        if arn.split(":")[4:5] == [_account_reached(reached.last_target(arn), reached.account_of(arn))]
    ]
    return Joined(direct, reached.only(wanted))


def _account_reached(last: NodeRef | None, principal_account: str | None) -> str:
    """The account of the administrator a path ends at (`last`, the target of its last step)."""
    if last is None:
        return ""
    return last.account_id or (principal_account or "")
