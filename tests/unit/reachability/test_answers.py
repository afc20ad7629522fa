"""`Answers`: an answer whose count is known before its items are made (service/reachability/answers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.reachability.answers import Answers
from service.reachability.model import Access, NodeRef


def _access(name: str) -> Access:
    return Access(NodeRef(f"arn:aws:iam::111122223333:user/{name}", "user", name, "111122223333"), None, ())


def _counting(names: list[str], made: list[str]) -> Iterator[Access]:
    for name in names:
        made.append(name)
        yield _access(name)


def test_a_page_makes_only_what_it_shows() -> None:
    names = [f"u{i:03}" for i in range(500)]
    made: list[str] = []
    answers = Answers(len(names), _counting(names, made))
    assert len(answers) == 500 and made == []
    assert [a.principal.name for a in answers[100:110]] == names[100:110]
    assert made == names[:110]
    assert answers[-1].principal.name == "u499"
    assert [a.principal.name for a in answers] == names
    assert list(answers) == list(answers)  # read again from what was made
    with pytest.raises(IndexError):
        answers[500]


def test_slices_past_the_end_and_empty_answers() -> None:
    answers = Answers(3, (_access(n) for n in "abc"))
    assert [a.principal.name for a in answers[1:99]] == ["b", "c"]
    assert list(Answers(0, iter(()))) == []


@pytest.mark.parametrize("made", [2, 4])
def test_a_count_that_disagrees_with_the_items_is_a_bug_caught(made: int) -> None:
    answers = Answers(3, (_access(str(i)) for i in range(made)))
    with pytest.raises(AssertionError):
        list(answers)
