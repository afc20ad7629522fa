"""Pairs, not roles: each kind of candidate `Pairs.compared` decides is needed (a role whose own side is the same
in both worlds, reached through a first hop whose own side changed, or that became or stopped being a first
hop), and a principal nothing of which changed can still get another answer (so candidates are worked out from
the direct answers that differ, not from the changed principals)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from types import SimpleNamespace

import pytest

from service.history.access import _Change, access_changes, affected_roles, deciding_otherwise
from service.history.pairs import Pairs, _Direct, _WorldAnswers, own_side_changed
from service.history.source import FactSource
from service.history.store import World
from service.reachability import Reachability
from service.reachability.profiles import Entry
from tests.support.gaad import Account, allow, trust, trusts
from tests.unit.history import test_access_random
from tests.unit.history.test_access import A, B, accounts, audit_role_gets_assume, every_role, role, trust_gains_carol
from tests.unit.history.worlds import world
from tests.unit.reachability.fake_source import run


def _worlds(change: Callable[[Account, Account], None]) -> tuple[World, World]:
    a, b = accounts()
    a.role("DeployChain", trust(trusts({"AWS": a.arn("role", "DeployRole")})))
    b.role("BAccount", trust(trusts({"AWS": B})))
    before = world(a, b)
    a, b = copy.deepcopy(a), copy.deepcopy(b)
    change(a, b)
    return before, world(a, b, load="load-2")


def test_a_principal_reaching_a_role_through_a_first_hop_whose_trust_changed() -> None:
    """carol gains DeployChain through DeployRole, whose trust policy changed: DeployRole is a first hop of
    DeployChain in both worlds, with the same answer; what differs is carol's answer for DeployRole."""
    before, after = _worlds(trust_gains_carol)
    old, new = FactSource(before), FactSource(after)
    assert role(A, "DeployRole") in own_side_changed(old, new)
    assert role(A, "DeployChain") in affected_roles(before, after, old, new) - own_side_changed(old, new)
    found, _ = run(access_changes(before, after))
    carol = f"arn:aws:iam::{A}:user/carol"
    assert [(c.role, c.principal, c.change, c.hops_after) for c in found if c.role == role(A, "DeployChain")] == [
        (role(A, "DeployChain"), carol, "gained", 2)
    ]
    assert found == run(every_role(before, after))


def test_a_principal_reaching_a_role_through_a_new_first_hop() -> None:
    """AuditRole may now assume roles: it becomes a direct assumer of BAccount (which trusts its account), and
    alice, who assumes AuditRole in both worlds, gains BAccount through it."""
    before, after = _worlds(audit_role_gets_assume)
    old, new = FactSource(before), FactSource(after)
    assert role(B, "BAccount") not in own_side_changed(old, new)
    found, _ = run(access_changes(before, after))
    alice = f"arn:aws:iam::{A}:user/alice"
    assert (role(B, "BAccount"), alice, "gained") in {(c.role, c.principal, c.change) for c in found}
    assert found == run(every_role(before, after))


def test_an_unchanged_principal_can_get_another_condition() -> None:
    """Organization 9 of the randomized test: u2 of account 333333333333 is no changed principal, yet its
    condition for r4 (whose own side is the same) is another formula, because another member of its decision
    class (u1, deleted) was the one its class's decision was made for: its tests name other statements. A
    candidate rule of changed principals alone would not decide it. (It reads alike: two tests that read
    alike are told once, so it is no change in the diff.)"""
    before, after = test_access_random.changed_worlds(9)
    old, new = FactSource(before), FactSource(after)
    u2, r4 = "arn:aws:iam::333333333333:user/u2", "arn:aws:iam::333333333333:role/r4"
    change = _Change(before, after, old, new)
    assert u2 not in change.principals
    assert r4 not in own_side_changed(old, new)
    pairs = Pairs(Reachability(old).assumers, Reachability(new).assumers, deciding_otherwise(change, old, new),
                  own_side_changed(old, new))
    was = {a.principal.arn: a for a in run(pairs.old.assumers.direct(r4))}
    now = {a.principal.arn: a for a in run(pairs.new.assumers.direct(r4))}
    assert was[u2].condition != now[u2].condition
    assert was[u2].condition_text == now[u2].condition_text
    assert u2 in run(pairs.differing(r4))
    found, _ = run(access_changes(before, after))
    assert (r4, u2) not in {(c.role, c.principal) for c in found}
    assert found == run(every_role(before, after))


@pytest.mark.parametrize("seed", range(0, 80, 4))
def test_the_differing_principals_hold_every_direct_answer_that_differs(seed: int) -> None:
    """`Pairs.differing` skips making the answers of a decision class that decides alike in both worlds; what
    it returns must still hold every principal whose direct answer differs (made and compared here), for every
    role, its own side changed or not."""
    before, after = test_access_random.changed_worlds(seed)
    old, new = FactSource(before), FactSource(after)
    changed = deciding_otherwise(_Change(before, after, old, new), old, new)
    pairs = Pairs(Reachability(old).assumers, Reachability(new).assumers, changed, own_side_changed(old, new))
    for asked in sorted({*old.trust, *new.trust}):  # (those whose own side changed too: no class decided alike)
        was = {a.principal.arn: (a.hops, a.condition) for a in run(pairs.old.assumers.direct(asked))}
        now = {a.principal.arn: (a.hops, a.condition) for a in run(pairs.new.assumers.direct(asked))}
        differs = {p for p in {*was, *now} if was.get(p) != now.get(p)}
        assert differs <= run(pairs.differing(asked)), asked


def test_a_changed_member_of_a_class_decided_alike_is_a_candidate() -> None:
    """ben's statement allowing sts:AssumeRole moves to another of his inline policies: he stays in amy's
    decision class, decided for amy alike in both worlds, yet his answer (the class's decision relabelled from
    amy to him) names another policy. Only his being a changed principal makes him one of `differing`."""
    with_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

    def organization(moved: bool) -> World:
        a = Account(A)
        a.user("amy", inline=[allow("sts:AssumeRole", Condition=with_mfa)])
        a.user("ben", inline=[*([allow("s3:GetObject")] if moved else []), allow("sts:AssumeRole", Condition=with_mfa)])
        a.role("Target", trust(trusts({"AWS": A})))
        return world(a, load=f"load-{int(moved) + 1}")

    before, after = organization(False), organization(True)
    old, new = FactSource(before), FactSource(after)
    pairs = Pairs(Reachability(old).assumers, Reachability(new).assumers,
                  deciding_otherwise(_Change(before, after, old, new), old, new), own_side_changed(old, new))
    ben, target = f"arn:aws:iam::{A}:user/ben", role(A, "Target")
    was = {a.principal.arn: a.condition for a in run(pairs.old.assumers.direct(target))}
    now = {a.principal.arn: a.condition for a in run(pairs.new.assumers.direct(target))}
    assert was[ben] != now[ben]
    assert ben in run(pairs.differing(target))
    found, _ = run(access_changes(before, after))
    assert found == run(every_role(before, after)) == []  # (the policy's name is not in the text compared)


def test_a_class_decided_for_another_member_is_compared_member_by_member() -> None:
    """amy, whom the class of amy, ben and cat is decided for, is deleted: the class is decided for ben now,
    and his condition is another formula (relabelling a decision to a member tells two statements of the same
    content as one, see docs/history.md), though nothing of his changed: he is compared, and his condition
    reads alike, so it is no change."""
    with_mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

    def organization(amy: bool) -> World:
        a = Account(A)
        mfa = a.policy("Mfa", allow("*", Condition=with_mfa), allow("sts:AssumeRole", Condition=with_mfa))
        a.group("G", managed=[mfa])
        if amy:
            a.user("amy", managed=[mfa])
        a.user("ben", groups=["G"], managed=[mfa])
        a.user("cat", managed=[mfa])
        a.role("Target", trust(trusts({"AWS": A})))
        return world(a, load="load-1" if amy else "load-2")

    before, after = organization(True), organization(False)
    old, new = FactSource(before), FactSource(after)
    pairs = Pairs(Reachability(old).assumers, Reachability(new).assumers,
                  deciding_otherwise(_Change(before, after, old, new), old, new), own_side_changed(old, new))
    ben, target = f"arn:aws:iam::{A}:user/ben", role(A, "Target")
    assert ben in run(pairs.differing(target))
    found, _ = run(access_changes(before, after))
    assert {(c.principal, c.change) for c in found} == {(f"arn:aws:iam::{A}:user/amy", "lost")}
    assert found == run(every_role(before, after))


@pytest.mark.parametrize("seed", range(0, 80, 8))
def test_a_principals_decision_classes_are_those_a_scan_of_every_class_finds(seed: int) -> None:
    """`_Direct._places` finds the decision classes holding a principal from the member lists that hold it;
    they are those (in that order) a scan of every class of the role finds, for every principal admitted,
    in both worlds, including a principal in two classes (`overlapping`)."""
    before, after = test_access_random.changed_worlds(seed)
    old, new = FactSource(before), FactSource(after)
    pairs = Pairs(Reachability(old).assumers, Reachability(new).assumers, set(), set())
    compared = 0
    for answers, source in ((pairs.old, old), (pairs.new, new)):
        for asked in sorted(source.trust):
            direct = run(answers.direct(asked))
            for arn in sorted(direct.admitted):
                scanned = [number for number, members in enumerate(direct.classes) if arn in members]
                assert [number for number, _ in direct._places(arn)] == scanned, (asked, arn)
                compared += 1
    assert compared > 0


def test_a_principal_in_several_decision_classes_is_found_in_each_in_order() -> None:
    """Lists shared between classes, and a principal in lists of two classes: `_places` finds every class
    holding it, in class order, as a scan of every class does."""
    def entry(name: str, kind: str = "user") -> Entry:
        arn = f"arn:aws:iam::{A}:{kind}/{name}"
        return Entry(arn, SimpleNamespace(kind=kind, arn=arn))  # type: ignore[arg-type]

    x, y, z, r = entry("x"), entry("y"), entry("z"), entry("r", "role")
    first, second, third = [x, r], [y], [x, z]
    lists = [[first], [second, third], [second], [first, third]]
    parts = SimpleNamespace(ready=[], pending=[SimpleNamespace(lists=partial(lambda held: held, one)) for one in lists])
    answers = _WorldAnswers(None)  # type: ignore[arg-type]  (listing reads no assumers)
    direct = _Direct(parts, answers.listed, answers.profiles, answers.lists_of)  # type: ignore[arg-type]
    for arn in sorted(direct.admitted):
        scanned = [number for number, members in enumerate(direct.classes) if arn in members]
        assert [number for number, _ in direct._places(arn)] == scanned
    assert [number for number, _ in direct._places(x.arn)] == [0, 1, 3]
