"""Ability changes read from two access records (service/history/ability.py) against asking every role whole
in both worlds (`every_role`): the same principals gain and lose the same roles with the same hops, on the
fixed changes and the randomized organizations of test_access_random."""

from __future__ import annotations

import pytest

from service.history.ability import ability_groups, groups_of
from service.history.access import AccessChange
from service.history.access_record import AccessRecord, decode, encode
from service.history.access_store import world_record
from service.history.source import FactSource
from service.history.store import World
from service.reachability import Reachability
from tests.unit.history.test_access import CHANGES, every_role, worlds
from tests.unit.history.test_access_random import changed_worlds
from tests.unit.reachability.fake_source import run


def records(before: World, after: World) -> tuple[AccessRecord, AccessRecord]:
    old = run(world_record(Reachability(FactSource(before)), None))
    new = run(world_record(Reachability(FactSource(after)), (old.lineage, old.roles)))
    return decode(encode(old)), decode(encode(new))


def expected(before: World, after: World, found: list[AccessChange]) -> list:
    """`every_role`'s rows for principals and roles of both worlds, grouped."""
    old, new = FactSource(before), FactSource(after)
    loaded_old, loaded_new = set(old.account_of), set(new.account_of)
    both = loaded_old & loaded_new

    def kept(principal: str) -> bool:
        return principal in both or (principal not in loaded_old and principal not in loaded_new)

    return groups_of(
        (c.role, c.principal, c.hops_before, c.hops_after)
        for c in found
        if c.role in old.trust and c.role in new.trust and kept(c.principal)
    )


@pytest.mark.parametrize("changes", [[c] for c in CHANGES] + [CHANGES], ids=[c.__name__ for c in CHANGES] + ["all"])
def test_records_find_the_ability_changes_asking_every_role_finds(changes: list) -> None:
    before, after = worlds(*changes)
    assert ability_groups(*records(before, after)) == expected(before, after, run(every_role(before, after)))


@pytest.mark.parametrize("seed", range(80))
def test_records_find_the_ability_changes_on_randomized_organizations(seed: int) -> None:
    before, after = changed_worlds(seed)
    assert ability_groups(*records(before, after)) == expected(before, after, run(every_role(before, after)))


@pytest.mark.parametrize("seed", range(0, 80, 8))
def test_records_of_two_lineages_compare_as_records_of_one(seed: int) -> None:
    """A record that starts its own numbering (the one before had a third of its roles gone, or none was read)
    is renumbered to compare: the same groups as two records numbered alike."""
    before, after = changed_worlds(seed)
    old, new = records(before, after)
    apart = decode(encode(run(world_record(Reachability(FactSource(after)), None))))
    assert apart.lineage != old.lineage
    assert ability_groups(old, apart) == ability_groups(old, new)


def test_a_record_continues_the_numbering_of_the_one_before_until_a_third_is_gone() -> None:
    from service.history.access_record import _numbering

    kept, roles = _numbering(["r/a", "r/c", "r/d"], ("L1", ["r/a", "r/b", "r/c"]))
    assert (kept, roles) == ("L1", ["r/a", "r/b", "r/c", "r/d"])  # (b gone keeps its number; d is appended)
    fresh, renumbered = _numbering(["r/c", "r/d"], ("L1", ["r/a", "r/b", "r/c"]))
    assert fresh != "L1" and renumbered == ["r/c", "r/d"]
