"""The escalation walk (walk.py) keeps ways, not answers: on randomized small organizations its answers equal
those of a walk that makes every answer as it goes (the design before, kept here as the reference), a page
read first equals the same slice of the whole answer, and the admin decisions kept per class equal the
decisions made one by one."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from service.database.records import RoleRecord, TrustTargetRecord
from service.reachability.admins import AdminDecisions, admins_of, is_admin
from service.reachability.decide import ClassAnswers
from service.reachability.escalation.admitting import trust_admits
from service.reachability.escalation.graph import (
    EscalationGraph,
    assume_changed,
    decide_after_gain,
    escalation_graph,
    gains_to_admin,
)
from service.reachability.escalation.joined import Joined
from service.reachability.escalation.steps import Escalation
from service.reachability.escalation.walk import Walked, walk_back
from service.reachability.escalation.ways import Ways
from service.reachability.index import PrincipalIndex
from service.reachability.model import Access, Path, both
from service.reachability.profiles import Profile, Role
from service.reachability.questions import Reachability
from service.reachability.role_classes import AssumerWays, RoleClasses
from service.reachability.who_can_assume import Assumers, DirectAssumers, TrustRead
from tests.unit.reachability.fake_source import FakeAccount, FakeSource, allow, deny, run, trusting

ACCOUNTS = ("111111111111", "222222222222", "333333333333")


def _organization(seed: int, dense: bool = False) -> tuple[FakeSource, list[str]]:
    """A few accounts of users and roles with random grants: role assumption within and across accounts,
    IAM writes (policies, trust policies, groups), PassRole to a service, administrators and Denies.
    `dense`: more grants each, so that most principals reach an administrator (and a walk finds every
    principal of an account before its last hop is done)."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible organization, not a secret)
    accounts = [FakeAccount(account) for account in ACCOUNTS]
    roles = [(a, a.arn("role", f"r{i}")) for a in accounts for i in range(6)]
    users = [(a, a.arn("user", f"u{i}")) for a in accounts for i in range(5)]
    admin_policy = accounts[0].aws_policy("AdministratorAccess", allow("*"))

    def grants(a: FakeAccount, name: str) -> list[str]:
        found: list[str] = []
        for n in range(rng.randint(2, 5) if dense else rng.randint(0, 3)):
            pick = rng.random()
            own_roles = [arn for b, arn in roles if b is a]
            if pick < 0.35:
                statement = allow("sts:AssumeRole", rng.choice([arn for _, arn in roles] + ["*"]))
            elif pick < 0.5:
                statement = allow(rng.choice(["iam:PutRolePolicy", "iam:AttachRolePolicy"]), rng.choice(own_roles))
            elif pick < 0.6:
                statement = allow("iam:UpdateAssumeRolePolicy", rng.choice(own_roles))
            elif pick < 0.7:
                statement = allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "*")
            elif pick < 0.8:
                statement = allow(rng.choice(["iam:PutUserPolicy", "iam:AttachUserPolicy"]), a.arn("user", "*"))
            elif pick < 0.9:
                statement = deny(rng.choice(["sts:AssumeRole", "iam:*"]), "*")
            else:
                statement = allow("s3:GetObject", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
            found.append(a.policy(f"{name}-p{n}", statement))
        if rng.random() < 0.12:
            found.append(admin_policy if a is accounts[0] else a.aws_policy("AdministratorAccess", allow("*")))
        return found

    def boundary(a: FakeAccount, name: str) -> str | None:
        # (dense: some principals under a boundary that allows less than everything: never administrators)
        if not dense or rng.random() >= 0.3:
            return None
        return a.policy(f"{name}-boundary", allow(["sts:AssumeRole", "iam:*", "lambda:*", "s3:*"], "*"))

    for a, arn in users:
        a.user(arn.rsplit("/", 1)[1], grants(a, arn.rsplit("/", 1)[1]), boundary=boundary(a, arn.rsplit("/", 1)[1]))
    for a, arn in roles:
        name = arn.rsplit("/", 1)[1]
        choice = rng.random()
        if choice < 0.3:
            trust = trusting({"AWS": f"arn:aws:iam::{rng.choice(ACCOUNTS)}:root"})
        elif choice < 0.55:
            trust = trusting({"AWS": rng.choice([u for _, u in users])})
        elif choice < 0.75:
            trust = trusting({"Service": "lambda.amazonaws.com"})
        elif choice < 0.85:
            trust = trusting({"AWS": "*"})
        else:
            trust = trusting({"AWS": f"arn:aws:iam::{a.id}:root"}, Condition={"Bool": {"aws:SecureTransport": "true"}})
        a.role(name, grants(a, name), trust=trust, boundary=boundary(a, name))
    if dense:
        # Principals of an account that are no loaded user or role (a deleted role the trust names by ARN, a
        # SAML provider), admitted by a role of the account before it in ARN order.
        for a, b in itertools.pairwise(accounts):
            outside = {"AWS": b.arn("role", "gone"), "Federated": f"arn:aws:iam::{b.id}:saml-provider/Corp"}
            a.role("outside", grants(a, "outside"), trust=trusting(outside))
            roles.append((a, a.arn("role", "outside")))
    return FakeSource(*accounts), [arn for _, arn in roles]


# --- the reference: the walk that made every answer as it went (before walk.py) --------------------------


@dataclass(order=True)
class _Queued:
    hops: int
    rank: tuple[int, int]
    arn: str
    order: int
    make: Callable[[], Access] = field(compare=False)


async def _reference_walk(
    graph: EscalationGraph,
    goals: Iterable[Access],
    max_hops: int,
    after_gain: Callable[[Escalation, Access], Access | None] | None = None,
    seeds: Iterable[Access] = (),
    account: str | None = None,
) -> list[Access]:
    goals = list(goals)
    found: dict[str, Access] = {}
    settled = {goal.principal.arn for goal in goals}
    queue: list[_Queued] = []
    pushed = itertools.count()

    # The hop before the last of a walk of every account takes its principals widest first: the roles whose
    # trust admits anyone, then by the number of loaded accounts it admits, then the users (ARN order within).
    ranks: dict[str, tuple[int, int]] = {}
    if account is None:
        for arn, profile in graph.profiles.items():
            if profile.kind == "role":
                trust = TrustRead.of(await graph.assumers.trust_targets(arn))
                ranks[arn] = (0, 0) if trust.everyone else (1, -len(trust.accounts))

    def push(hops: int, arn: str, make: Callable[[], Access]) -> None:
        if arn not in found and arn not in settled:
            rank = ranks.get(arn, (2, 0)) if account is None and hops == max_hops - 1 else (0, 0)
            heapq.heappush(queue, _Queued(hops, rank, arn, next(pushed), make))

    for seed in seeds:
        if seed.hops <= max_hops:
            push(seed.hops, seed.principal.arn, partial(lambda s: s, seed))
    goal_arns = settled.copy()
    gains = await graph.gains() if after_gain is not None else []

    async def reach(reached: Access, hops_then: int) -> None:
        hops = hops_then + 1
        if hops > max_hops:
            return
        prefix: Path = reached.paths[0] if len(reached.paths) else ()
        last = hops == max_hops and account is not None
        elsewhere = last and reached.principal.account_id != account
        for step in await graph.into(reached.principal.arn, techniques=not elsewhere):
            if last and step.principal.account_id != account:
                continue
            push(hops, step.principal.arn, partial(step.via, prefix, reached.condition, hops))
        if (hops := hops_then + 2) > max_hops or reached.principal.arn not in goal_arns:
            return
        last = hops == max_hops and account is not None
        for gain in gains:
            assert after_gain is not None
            if last and gain.actor.account_id != account:
                continue
            if (then := after_gain(gain, reached)) is not None:
                path = (gain.step, *(then.paths[0] if len(then.paths) else ()))
                access = Access(gain.actor, both(gain.condition, then.condition), (path,), gain.notes, hops)
                push(hops, gain.actor.arn, partial(access.via, prefix, reached.condition, hops))

    for goal in goals:
        await reach(goal, goal.hops)
    while queue:
        item = heapq.heappop(queue)
        if item.arn in found or item.arn in settled:
            continue
        access = found[item.arn] = item.make()
        if access.principal.kind in ("role", "user"):
            await reach(access, item.hops)
    return sorted(found.values(), key=lambda a: (a.hops, a.principal.arn))


def _shown(answers: Iterable[Access]) -> list[tuple[object, ...]]:
    return [(a.principal, a.condition, tuple(a.paths), a.notes, a.hops) for a in answers]


async def _goal_walks(source: FakeSource, role_arn: str, max_hops: int) -> tuple[Walked, list[Access]]:
    """The walk back from a role (as whoCanAssume with escalation walks it), new and reference, each on a
    graph of its own (a fresh index: nothing worked out is shared between them)."""
    found = []
    for walk in (walk_back, _reference_walk):
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        await assumers.who_can_assume(role_arn, 1)
        role = await assumers.role(role_arn)
        assert role is not None
        graph = await escalation_graph(index, assumers)
        goal = Access(role.ref, None, ((),), (), 0)
        admits = trust_admits(role, await assumers.view.trust_targets(role.arn))
        found.append(await walk(graph, [goal], max_hops, decide_after_gain(assume_changed(role, admits), role.arn)))
    new, reference = found
    assert isinstance(new, Walked) and isinstance(reference, list)
    return new, reference


_SEEDS = [*((seed, False) for seed in range(6)), *((seed, True) for seed in range(4))]


@pytest.mark.parametrize(("seed", "dense"), _SEEDS)
def test_the_walk_back_from_a_role_equals_the_walk_that_made_every_answer(seed: int, dense: bool) -> None:
    # (dense: most principals are found before the last hop, whose roles and techniques that could find no
    # one new are then not worked out; the deleted role and SAML provider some roles admit are found too)
    source, roles = _organization(seed, dense)
    compared = 0
    for role_arn in roles:
        new, reference = run(_goal_walks(source, role_arn, 3))
        assert len(new) == len(reference)
        assert _shown(new) == _shown(reference), role_arn
        compared += len(reference)
    assert compared > 0


def test_the_hop_before_the_last_takes_the_roles_anyone_may_assume_first() -> None:
    """`p` reaches `x` (and through it `goal`) through `a-early` or `z-wide`, both 2 hops from `goal`: the
    hop before the last takes the role whose trust admits anyone first (`_widest_first`), so `p`'s path goes
    through `z-wide`, though `a-early` comes first in ARN order; the answers stay in (hops, ARN) order."""
    a = FakeAccount(ACCOUNTS[0])
    a.role("goal", trust=trusting({"AWS": a.arn("role", "x")}))
    x_trust = trusting({"AWS": [a.arn("role", "a-early"), a.arn("role", "z-wide")]})
    a.role("x", [a.policy("to-goal", allow("sts:AssumeRole", a.arn("role", "goal")))], trust=x_trust)
    to_x = a.policy("to-x", allow("sts:AssumeRole", a.arn("role", "x")))
    a.role("a-early", [to_x], trust=trusting({"AWS": a.arn("user", "p")}))
    a.role("z-wide", [to_x], trust=trusting({"AWS": "*"}))
    a.user("p", [a.policy("hop", allow("sts:AssumeRole", "*"))])
    new, reference = run(_goal_walks(FakeSource(a), a.arn("role", "goal"), 3))
    assert [(w.principal.arn, w.hops) for w in new] == [
        (a.arn("role", "x"), 1),
        (a.arn("role", "a-early"), 2),
        (a.arn("role", "z-wide"), 2),
        ("*", 3),  # (anyone may assume `z-wide`)
        (a.arn("user", "p"), 3),
    ]
    through = [step.target.arn for step in new[4].paths[0] if step.target.kind == "role"]
    assert through == [a.arn("role", "z-wide"), a.arn("role", "x"), a.arn("role", "goal")]
    assert _shown(new) == _shown(reference)


def test_the_last_hop_skips_no_role_whose_trust_admits_a_principal_still_wanted() -> None:
    """Every principal of `a` is found before the last expanding hop, so neither a technique there nor a
    trust admitting `a` can find anyone new (`_finds_nothing`); `r` and `r2` of `a` are still expanded, since
    `r` trusts account `b`, whose `q` is still wanted, and `r2` names `d` of `c`: both are found at hop 3."""
    a, b, c = (FakeAccount(account) for account in ACCOUNTS)
    a.role("goal", trust=trusting({"AWS": a.arn("role", "x")}))
    x_trust = trusting({"AWS": [a.arn("role", "r"), a.arn("role", "r2")]})
    a.role("x", [a.policy("to-goal", allow("sts:AssumeRole", a.arn("role", "goal")))], trust=x_trust)
    to_x = a.policy("to-x", allow("sts:AssumeRole", a.arn("role", "x")))
    a.role("r", [to_x], trust=trusting({"AWS": f"arn:aws:iam::{b.id}:root"}))
    a.role("r2", [to_x], trust=trusting({"AWS": c.arn("user", "d")}))
    b.user("q", [b.policy("hop", allow("sts:AssumeRole", "*"))])
    c.user("d", [c.policy("hop", allow("sts:AssumeRole", a.arn("role", "r2")))])
    new, reference = run(_goal_walks(FakeSource(a, b, c), a.arn("role", "goal"), 3))
    assert {(w.principal.arn, w.hops) for w in new if w.hops == 3} == {(b.arn("user", "q"), 3), (c.arn("user", "d"), 3)}
    assert _shown(new) == _shown(reference)


@pytest.mark.parametrize("seed", range(4))
def test_the_last_hop_works_out_no_role_that_could_find_no_one_new(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the last hop of a walk of every account, a role's direct assumers are worked out only when they may
    hold a principal not found yet (`still_wanted`): on a dense organization, whose principals are nearly all
    found earlier, many of that hop's roles are not worked out at all (and the answers stay those of the
    reference walk: the test above)."""
    source, roles = _organization(seed, dense=True)
    worked_out: list[str] = []
    ways_in = RoleClasses.ways_in

    async def counted(self: RoleClasses, assumers: Assumers, role_arn: str) -> AssumerWays | None:
        worked_out.append(role_arn)
        return await ways_in(self, assumers, role_arn)

    async def walk(role_arn: str) -> tuple[Walked, Mapping[str, Profile]]:
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        role = await assumers.role(role_arn)
        assert role is not None
        graph = await escalation_graph(index, assumers)
        admits = trust_admits(role, await assumers.view.trust_targets(role.arn))
        goal = Access(role.ref, None, ((),), (), 0)
        walked = await walk_back(graph, [goal], 3, decide_after_gain(assume_changed(role, admits), role.arn))
        return walked, graph.profiles

    among = Assumers.direct_parts_among

    async def counted_among(self: Assumers, role: Role, *args: Any) -> DirectAssumers:
        worked_out.append(role.arn)
        return await among(self, role, *args)

    monkeypatch.setattr(RoleClasses, "ways_in", counted)
    monkeypatch.setattr(Assumers, "direct_parts_among", counted_among)
    skipped = 0
    for role_arn in roles:
        worked_out.clear()
        walked, profiles = run(walk(role_arn))
        answers = [walked.answer(arn) for arn in walked.arns if arn in profiles]  # (not a deleted role's ARN)
        expanded = {a.principal.arn for a in answers if a.hops < 3 and a.principal.kind == "role"}
        assert set(worked_out) <= expanded | {role_arn}
        skipped += len(expanded - set(worked_out))
    assert skipped > 0


@pytest.mark.parametrize(("seed", "dense"), _SEEDS)
def test_the_walk_back_from_the_administrators_equals_the_walk_that_made_every_answer(seed: int, dense: bool) -> None:
    source, _ = _organization(seed, dense)

    async def walks(account: str) -> tuple[Walked, list[Access]]:
        found = []
        for walk in (walk_back, _reference_walk):
            index = PrincipalIndex()
            assumers = Assumers(index.view(source))
            entries = await assumers.view.entries([account])
            goals = admins_of(entries.values())
            graph = await escalation_graph(index, assumers)
            admins = frozenset(a.principal.arn for a in goals)
            seeds = await gains_to_admin(
                graph, admins, [e for e in await graph.gains() if e.actor.account_id in entries]
            )
            found.append(await walk(graph, goals, 3, seeds=seeds, account=account))
        new, reference = found
        assert isinstance(new, Walked) and isinstance(reference, list)
        return new, reference

    compared = 0
    for account in ACCOUNTS:
        new, reference = run(walks(account))
        # The account's principals answer as in the walk that made every answer. Of the others the walk
        # keeps only those that lead back into the account: at the hop before the last, a principal of
        # another account counts only as a role whose trust policy can admit one of the account's (a user
        # there, or a role admitting none of them, leads nowhere in one more step).
        mine = [a for a in reference if a.principal.account_id == account]
        assert _shown(a for a in new if a.principal.account_id == account) == _shown(mine)
        assert set(_shown(new)) <= set(_shown(reference))
        compared += len(mine)
        # (admins keeps those whose path ends at an administrator of their own account, read without
        # making the answers: the same as the answers show)
        fresh, _ = run(walks(account))
        expected = {answer.principal.arn: answer for answer in reference}
        for arn in fresh.arns:
            paths = expected[arn].paths
            assert fresh.last_target(arn) == (paths[0][-1].target if len(paths) and paths[0] else None)
    assert compared > 0


@pytest.mark.parametrize("seed", range(4))
def test_a_page_read_first_equals_the_same_slice_of_the_whole_answer(seed: int) -> None:
    source, roles = _organization(seed)
    for role_arn in roles:
        page = run(Reachability(source).who_can_assume(role_arn, 3, escalation=True))
        whole = list(run(Reachability(source).who_can_assume(role_arn, 3, escalation=True)))
        assert len(page) == len(whole)
        assert _shown(page[2:5]) == _shown(whole[2:5])
        assert _shown(page[-1:]) == _shown(whole[-1:])
        assert _shown(page) == _shown(whole)
    for account in ACCOUNTS:
        page = run(Reachability(source).admins(account))
        whole = list(run(Reachability(source).admins(account)))
        assert len(page) == len(whole)
        assert _shown(page[1:4]) == _shown(whole[1:4])
        assert _shown(page) == _shown(whole)


def test_joined_reads_its_two_parts_as_one_answer() -> None:
    source, _ = _organization(1)
    items = list(run(Reachability(source).who_can_assume(_organization(1)[1][0], 3, escalation=True)))
    first, then = items[:2], items[2:]
    joined = Joined(first, then)
    assert len(joined) == len(items) and list(joined) == items
    for start, stop in ((0, 1), (1, 3), (2, 2), (0, len(items)), (3, len(items) + 5)):
        assert list(joined[start:stop]) == items[start:stop]
    assert list(joined[::2]) == items[::2]
    assert joined[-1] == items[-1]
    with pytest.raises(IndexError):
        joined[len(items)]


@pytest.mark.parametrize("seed", range(6))
def test_admin_decisions_kept_per_class_equal_those_made_one_by_one(seed: int) -> None:
    source, _ = _organization(seed)

    async def compare() -> int:
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        graph = await escalation_graph(index, assumers)
        kept = AdminDecisions()
        compared = 0
        changed = [gain.after for gain in await graph.gains() if gain.after is not None]
        entries = await assumers.view.entries(None)
        plain = [p for entry in entries.values() for p in entry.profiles.values()]
        for profile in [*changed, *plain, *changed]:
            one = is_admin(profile)
            shared = kept.of(profile)
            assert (shared is None) == (one is None), profile.arn
            if one is not None and shared is not None:
                assert (shared.principal, shared.condition, shared.notes) == (one.principal, one.condition, one.notes)
                compared += 1
        return compared

    assert run(compare()) >= 0


@pytest.mark.parametrize("seed", range(4))
def test_assuming_a_role_decided_once_per_actor_equals_deciding_it_per_technique(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.reachability.escalation import binding
    from service.reachability.escalation import checker as checker_module

    source, _ = _organization(seed)

    async def becoming_everything() -> list[tuple[object, ...]]:
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        graph = await escalation_graph(index, assumers)
        found: list[tuple[object, ...]] = []
        for arn in sorted(graph.profiles):
            for e in await graph.becoming(arn):
                grants = tuple((g.action, g.resource, g.access.condition, tuple(g.access.paths)) for g in e.grants)
                found.append((e.actor, e.technique.id, e.reached, e.condition, grants, e.notes, e.step))
        return found

    kept = run(becoming_everything())
    monkeypatch.setattr(
        checker_module.AccountChecker, "_assumes_once", lambda self, role, actor: binding._assumes(role, actor)
    )
    assert run(becoming_everything()) == kept
    # (some technique needed the actor to assume the role afterwards)
    assert any(grant[0] == "sts:AssumeRole" for found in kept for grant in found[4])  # type: ignore[attr-defined]


def test_the_walk_hands_the_event_loop_back_so_the_question_timeout_stops_it() -> None:
    """Once what the walk reads is in memory (here: a source that never waits) it would never give the event
    loop back: the API's question timeout could not fire, and every other request would wait for it."""
    source, roles = _organization(0)

    async def walked_within(seconds: float, role_arn: str) -> int:
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        role = await assumers.role(role_arn)
        assert role is not None
        graph = await escalation_graph(index, assumers)
        goal = Access(role.ref, None, ((),), (), 0)
        admits = trust_admits(role, await assumers.view.trust_targets(role.arn))
        async with asyncio.timeout(seconds):
            return len(await walk_back(graph, [goal], 3, decide_after_gain(assume_changed(role, admits), role.arn)))

    role_arn = max(roles, key=lambda arn: run(walked_within(60.0, arn)))
    assert run(walked_within(60.0, role_arn)) > 1
    with pytest.raises(TimeoutError):
        run(walked_within(0.0, role_arn))


@pytest.mark.parametrize("seed", range(3))
def test_the_walk_reads_the_roles_of_a_hop_at_once(seed: int) -> None:
    """Each role a walk expands was read from the database one by one (at 100k principals, ~80,000 reads in
    one question): the walk now reads the roles of a hop, and the checker every role of an account it
    needs, in one read each. Only the question's own role is read alone."""
    source, roles = _organization(seed)
    walked = 0
    for role_arn in roles:
        source.reads.clear()
        answers = run(Reachability(source, PrincipalIndex()).who_can_assume(role_arn, 3, escalation=True))
        walked += len(answers)
        assert source.reads["role"] <= 1, role_arn
    assert walked > 0


def test_the_techniques_ways_into_targets_of_one_class_share_their_actors() -> None:
    """A technique's actors on a target are worked out once per target class and shared by every target of
    the class: the same mapping, which a walk that pushed it once skips at every later target."""
    a = FakeAccount(ACCOUNTS[0])
    run_code = allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*")
    a.user("writer", [a.policy("pass", allow("iam:PassRole", a.arn("role", "app-*")), run_code)])
    a.user("other", [a.policy("pass-any", allow("iam:PassRole", "*"), run_code)])
    for name in ("app-1", "app-2", "ops-1"):
        a.role(name, [], trust=trusting({"Service": "lambda.amazonaws.com"}))
    source = FakeSource(a)

    async def ways() -> dict[str, list[Mapping[str, object]]]:
        index = PrincipalIndex()
        graph = await escalation_graph(index, Assumers(index.view(source)))
        found: dict[str, list[Mapping[str, object]]] = {}
        for name in ("app-1", "app-2", "ops-1"):
            _, techniques = await graph.ways(a.arn("role", name))
            found[name] = [w.actors for w in techniques]
        return found

    found = run(ways())
    assert found["app-1"] and all(x is y for x, y in zip(found["app-1"], found["app-2"], strict=True))
    assert {actor for actors in found["app-1"] for actor in actors} == {a.arn("user", "writer"), a.arn("user", "other")}
    assert {actor for actors in found["ops-1"] for actor in actors} == {a.arn("user", "other")}


def test_a_techniques_actors_are_known_before_any_of_their_answers_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Who may do a technique's actions is decided per class; each actor's answer (its grant's paths and
    condition) is made only when its escalation is: a walk counts and pushes thousands of actors and shows
    few (at 100k principals, making them all was a third of a question)."""
    made: list[str] = []
    original = ClassAnswers.answer

    def answer(self: ClassAnswers, profile: Profile) -> Access | None:
        made.append(profile.arn)
        return original(self, profile)

    monkeypatch.setattr(ClassAnswers, "answer", answer)
    a = FakeAccount(ACCOUNTS[0])
    run_code = allow(["lambda:CreateFunction", "lambda:InvokeFunction"], "*")
    for name in ("writer", "other", "third"):
        a.user(name, [a.policy(f"pass-{name}", allow("iam:PassRole", "*"), run_code)])
    app = a.role("app", [], trust=trusting({"Service": "lambda.amazonaws.com"}))
    source = FakeSource(a)

    async def ways() -> list[Ways]:
        index = PrincipalIndex()
        graph = await escalation_graph(index, Assumers(index.view(source)))
        return list((await graph.ways(app))[1])

    found = [w for w in run(ways()) if w.actors]
    users = {a.arn("user", name) for name in ("writer", "other", "third")}
    assert found and {actor for w in found for actor in w.actors} == users
    assert made == []
    escalation = found[0].access(a.arn("user", "other"))
    assert escalation is not None and escalation.principal.arn == a.arn("user", "other")
    assert set(made) == {a.arn("user", "other")}


def test_roles_nothing_tells_apart_share_their_direct_assumers_classes_and_answer_alike() -> None:
    """The walk classifies the principals a role's trust policy admits once per class of roles with the same
    trust document, admitted accounts and fits (role_classes.py): here the five roles trusting their
    account, but not `special`, which a statement names. The answers are those of the walk that classifies
    every role, paths included (a member's answer relabels the shared decision as there)."""
    a, b = FakeAccount(ACCOUNTS[0]), FakeAccount(ACCOUNTS[1])
    hop = a.policy("hop", allow("sts:AssumeRole", "*"))
    special = a.policy("special", allow("sts:AssumeRole", a.arn("role", "special")), allow("s3:GetObject", "*"))
    for name in ("r0", "r1", "r2", "r3", "r4", "special"):
        a.role(name, [hop], trust=trusting({"AWS": f"arn:aws:iam::{a.id}:root"}))
    for i in range(4):
        a.user(f"u{i}", [hop, special] if i % 2 else [special])
    b.user("outsider", [b.policy("hop", allow("sts:AssumeRole", "*"))])
    source = FakeSource(a, b)

    async def walked() -> tuple[Walked, list[Access], int]:
        new, reference = await _goal_walks(source, a.arn("role", "r0"), 3)
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        graph = await escalation_graph(index, assumers)
        for name in ("r1", "r2", "r3", "r4", "special"):
            await graph.ways(a.arn("role", name))
        return new, reference, len(graph.role_classes)

    new, reference, kept = run(walked())
    assert _shown(new) == _shown(reference)
    assert {x.principal.arn for x in new} >= {a.arn("role", "r1"), a.arn("user", "u1")}
    assert kept == 2  # r1 to r4 alike, special apart


@pytest.mark.parametrize("seed", range(8))
def test_a_roles_direct_assumers_of_one_account_are_those_of_the_whole_answer_in_that_account(seed: int) -> None:
    """The last hop of `admins(account)` classifies that account's principals alone
    (`RoleClasses.ways_in_from`, once per class of roles and account): each role's direct assumers there,
    with their answers (condition, paths), are those of the whole classification, for every role and
    account, whichever is worked out first in the generation. (Of a principal's several paths, which comes
    first follows the policy order of the member its class's decision was made for, as between any two
    questions sharing a decision: compared as a set.)"""
    from service.reachability.role_classes import RoleClasses

    source, roles = _organization(seed)

    async def answers(whole_first: bool) -> list[tuple[object, ...]]:
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        classes = RoleClasses()
        found: list[tuple[object, ...]] = []
        for role_arn in roles:
            for account in ACCOUNTS:
                whole = None
                if whole_first:
                    whole = await Assumers(index.view(source)).direct(role_arn)
                ways = await classes.ways_in_from(assumers, role_arn, account)
                assert ways is not None
                made = [*ways.ready]
                for part in ways.pending:
                    made += [part.answers.answer(entry.profile) for entry in part.entries()]
                if whole is None:
                    whole = await Assumers(index.view(source)).direct(role_arn)
                # (the role itself may be a member of classes worked out for another role: AssumerWays)
                mine = _as_sets(
                    a
                    for a in made
                    if a is not None and a.principal.account_id == account and a.principal.arn != role_arn
                )
                expected = _as_sets(a for a in whole if a.principal.account_id == account)
                assert mine == expected, (role_arn, account)
                found += mine
        return found

    assert run(answers(False)) and run(answers(True))


def _as_sets(answers: Iterable[Access]) -> list[tuple[object, ...]]:
    shown = [(a.principal, a.condition, frozenset(a.paths), a.notes, a.hops) for a in answers]
    return sorted(shown, key=lambda item: (repr(item[0]), item[4]))


@pytest.mark.parametrize("seed", range(3))
def test_the_escalation_questions_of_a_generation_read_each_role_and_trust_once(seed: int) -> None:
    """The roles and trust targets read by one escalation question are kept for the next ones of the same
    generation (`Assumers.keeping`): every account's `admins`, then each role's `whoCanAssume`, on one
    index, ask the database for no role and no trust policy twice, and answer as fresh indexes do."""
    source, roles = _organization(seed)
    asked: list[str] = []
    read_roles, read_targets = source.roles, source.trust_targets_of

    async def roles_read(arns: Sequence[str]) -> list[RoleRecord]:
        asked.extend(f"role {arn}" for arn in arns)
        return await read_roles(arns)

    async def targets_read(arns: Sequence[str]) -> dict[str, list[TrustTargetRecord]]:
        asked.extend(f"trust {arn}" for arn in arns)
        return await read_targets(arns)

    source.roles, source.trust_targets_of = roles_read, targets_read  # type: ignore[method-assign]
    index = PrincipalIndex()
    kept = [list(run(Reachability(source, index).admins(account))) for account in ACCOUNTS]
    kept += [list(run(Reachability(source, index).who_can_assume(arn, 3, escalation=True))) for arn in roles]
    assert asked and len(asked) == len(set(asked)), [a for a in asked if asked.count(a) > 1][:3]
    fresh = [list(run(Reachability(source, PrincipalIndex()).admins(account))) for account in ACCOUNTS]
    fresh += [
        list(run(Reachability(source, PrincipalIndex()).who_can_assume(arn, 3, escalation=True))) for arn in roles
    ]
    assert [_as_sets(a) for a in kept] == [_as_sets(a) for a in fresh]


@pytest.mark.parametrize("seed", range(4))
def test_a_principal_no_change_of_its_policies_makes_an_administrator_is_not_looked_at(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`making_admin` skips a principal that would not be an administrator even with one policy allowing
    everything and none of its own (its boundary or SCPs allow less): on organizations where a third of
    the principals are under such a boundary, it gives for every principal what it gives without the skip."""
    from service.reachability.escalation.checker import AccountChecker

    source, _ = _organization(seed, dense=True)
    skipped = 0

    async def making(skip: bool) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
        nonlocal skipped
        index = PrincipalIndex()
        assumers = Assumers(index.view(source))
        graph = await escalation_graph(index, assumers)
        found: list[tuple[str, list[tuple[str, str, str, str]]]] = []
        for account in ACCOUNTS:
            entries = await assumers.view.entries([account])
            admins = frozenset(a.principal.arn for a in admins_of(entries.values()))
            for arn in sorted(entries[account].profiles):
                made = await graph.making_admin(arn, admins)
                found.append((arn, [(e.actor.arn, e.technique.id, e.reached.arn, repr(e.condition)) for e in made]))
                checker = graph.checkers[account]
                skipped += skip and not checker._may_become_admin(entries[account].profiles[arn], graph._is_admin)
        return found

    with_skip = run(making(True))
    monkeypatch.setattr(AccountChecker, "_may_become_admin", lambda self, profile, admin: True)
    assert with_skip == run(making(False))
    assert skipped > 0 and any(made for _, made in with_skip)


@pytest.mark.parametrize("seed", range(4))
def test_admins_decide_no_change_for_actors_found_already_and_answer_the_same(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`admins` keeps each actor's first escalation that changes a principal into an administrator, so it
    decides none for actors found already (`have`): the answers, paths and conditions included, are those
    of deciding every change for every actor."""
    source, _ = _organization(seed, dense=True)
    kept = [_shown(run(Reachability(source, PrincipalIndex()).admins(account))) for account in ACCOUNTS]
    original = EscalationGraph.making_admin

    async def every_change(self: EscalationGraph, arn: str, leave_out: frozenset[str], have: object = ()) -> object:
        return await original(self, arn, leave_out)

    monkeypatch.setattr(EscalationGraph, "making_admin", every_change)
    assert kept == [_shown(run(Reachability(source, PrincipalIndex()).admins(account))) for account in ACCOUNTS]
    assert any(kept)
