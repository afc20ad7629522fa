"""The last hop of a walk, kept whole (last_hop.py): every principal found is counted, each keeps the first
way found to it whether that came alone or with a collection, and the collections' ways are made only when
one is read."""

from __future__ import annotations

from collections.abc import Iterator

from service.reachability.escalation.last_hop import LastHop


def test_each_principal_keeps_the_first_way_found_to_it_alone_or_in_a_collection() -> None:
    hop: LastHop[str] = LastHop()
    hop.one("c", "c alone")
    hop.many(frozenset({"a", "b", "c"}), lambda: iter([("a", "a by list 1"), ("b", "b by list 1"), ("c", "c by 1")]))
    hop.one("a", "a alone, later")
    hop.many(frozenset({"b", "d"}), lambda: iter([("b", "b by list 2"), ("d", "d by list 2")]))

    assert hop.arns(lambda arn: False) == {"a", "b", "c", "d"}
    assert hop.ways() == {"c": "c alone", "a": "a by list 1", "b": "b by list 1", "d": "d by list 2"}


def test_principals_found_before_the_last_hop_are_left_out() -> None:
    hop: LastHop[str] = LastHop()
    hop.many(frozenset({"a", "b"}), lambda: iter([("a", "a"), ("b", "b")]))
    hop.one("c", "c")

    assert hop.arns(lambda arn: arn in {"b", "c"}) == {"a"}
    assert hop.ways() == {"a": "a"}
    assert "b" in hop and "c" in hop and "z" not in hop  # (found at this hop, whether kept or not)


def test_a_collections_ways_are_made_once_and_only_when_read() -> None:
    made: list[str] = []

    def ways() -> Iterator[tuple[str, str]]:
        made.append("made")
        yield from [("a", "a"), ("b", "b")]

    hop: LastHop[str] = LastHop()
    hop.many(frozenset({"a", "b"}), ways)
    hop.arns(lambda arn: False)
    assert made == []
    assert hop.ways()["b"] == "b"
    assert hop.ways()["a"] == "a"
    assert made == ["made"]
