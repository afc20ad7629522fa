"""`Wanted` (ways.py): what a walk may still find, asked tens of thousands of times a question at 100k
principals. Its answers follow the principals wanted as they shrink, whichever way it is asked."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from service.reachability.escalation.ways import Wanted

MEMBERS = {
    "111111111111": {"arn:aws:iam::111111111111:user/a", "arn:aws:iam::111111111111:role/b"},
    "222222222222": {"arn:aws:iam::222222222222:user/c"},
    "333333333333": {"arn:aws:iam::333333333333:user/d", "arn:aws:iam::333333333333:user/e"},
}


def _wanted() -> Wanted:
    def members(account: str) -> AbstractSet[str] | None:
        return MEMBERS.get(account)

    wanted = Wanted(members)
    wanted.arns = set().union(*MEMBERS.values())
    return wanted


def test_an_account_is_looked_at_until_none_of_its_principals_is_wanted() -> None:
    wanted = _wanted()
    assert wanted.any_of("111111111111")
    wanted.arns.discard("arn:aws:iam::111111111111:user/a")
    assert wanted.any_of("111111111111")  # (role/b is still wanted, wherever the cursor stood)
    wanted.arns.discard("arn:aws:iam::111111111111:role/b")
    assert not wanted.any_of("111111111111")
    assert ("111111111111", "members") in wanted.dead
    # An account the walk cannot list may hold anyone; a principal of no account, too.
    assert wanted.any_of("999999999999")
    assert wanted.any_of(None)


def test_any_of_and_meets_share_an_accounts_members_key() -> None:
    """`still_wanted` asks `meets((account, "members"), ...)` and `any_of(account)` of the same principals:
    once one finds none left, the other does too."""
    wanted = _wanted()
    members = MEMBERS["333333333333"]
    assert wanted.meets(("333333333333", "members"), members)
    wanted.arns -= members
    assert not wanted.any_of("333333333333")
    assert not wanted.meets(("333333333333", "members"), members)
    fresh = _wanted()
    fresh.arns -= members
    assert not fresh.meets(("333333333333", "members"), members)
    assert not fresh.any_of("333333333333")


def test_live_keeps_the_accounts_with_a_principal_still_wanted_in_their_order() -> None:
    wanted = _wanted()
    accounts = ["333333333333", "111111111111", "222222222222", "999999999999"]
    assert wanted.live(accounts) == accounts
    wanted.arns.discard("arn:aws:iam::222222222222:user/c")
    assert wanted.live(accounts) == ["333333333333", "111111111111", "999999999999"]
    wanted.arns -= MEMBERS["333333333333"]
    assert wanted.live(accounts) == ["111111111111", "999999999999"]


def test_holds_tells_a_pattern_held_by_a_principal_still_wanted_that_matches_the_resource() -> None:
    """`holds` keeps each account's patterns with their `meets` keys once; its answers still follow the
    principals wanted and the resource asked about."""
    wanted = _wanted()
    d, e = "arn:aws:iam::333333333333:user/d", "arn:aws:iam::333333333333:user/e"
    held = {
        "111111111111": [("arn:aws:iam::111111111111:role/ops-*", frozenset({d}))],
        "*": [("arn:aws:iam::*:role/shared", frozenset({e}))],
    }
    ops, shared = "arn:aws:iam::111111111111:role/ops-1", "arn:aws:iam::111111111111:role/shared"
    assert wanted.holds("333333333333", "sts:assumerole", held, ops, "111111111111")
    assert wanted.holds("333333333333", "sts:assumerole", held, shared, "111111111111")
    assert not wanted.holds("333333333333", "sts:assumerole", held, "arn:aws:iam::111111111111:role/x", "111111111111")
    wanted.arns.discard(d)
    assert not wanted.holds("333333333333", "sts:assumerole", held, ops, "111111111111")
    assert wanted.holds("333333333333", "sts:assumerole", held, shared, "111111111111")
    wanted.arns.discard(e)
    assert not wanted.holds("333333333333", "sts:assumerole", held, shared, "111111111111")

