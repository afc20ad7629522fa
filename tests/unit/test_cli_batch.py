"""The organization-wide CLI runs go without the cyclic garbage collector (service/cli/batch.py), and give it
back as they found it."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator
from typing import Any

import pytest

from service.cli import audit as audit_cli
from service.cli import questions
from service.cli.batch import without_cycle_collection


@pytest.fixture
def collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def test_the_collector_is_off_inside_and_as_it_was_after(collector: None) -> None:
    gc.enable()
    with without_cycle_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with without_cycle_collection():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_it_is_given_back_when_the_run_fails(collector: None) -> None:
    gc.enable()
    with pytest.raises(RuntimeError), without_cycle_collection():
        raise RuntimeError("the database went away")
    assert gc.isenabled()


def test_audit_and_paged_reviews_run_without_it(collector: None, monkeypatch: pytest.MonkeyPatch) -> None:
    gc.enable()
    seen: list[bool] = []

    def audit_run(args: argparse.Namespace) -> int:
        seen.append(gc.isenabled())
        return 0

    async def one_page(query: str, variables: dict[str, Any], context: Any = None) -> dict[str, Any]:
        seen.append(gc.isenabled())
        return {"externalAccess": {"items": [], "endCursor": None}}

    monkeypatch.setattr(audit_cli, "_audit_run", audit_run)
    monkeypatch.setattr(questions, "_run", one_page)
    assert audit_cli._audit(argparse.Namespace()) == 0
    assert questions.run_pages("query", {}, "externalAccess") == []
    assert seen == [False, False] and gc.isenabled()


def test_questions_and_history_runs_go_without_it(collector: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ask` (who-can, who-can-assume, escalations, admins) and `with_reader` (diff, loads) build the whole
    principal index, or two worlds of facts, and exit: a cold `who-can-assume --escalation` at 100k spent a
    seventh of its time in collections."""
    from service.cli import history

    gc.enable()
    seen: list[bool] = []

    async def question(reachability: Any) -> list[Any]:
        seen.append(gc.isenabled())
        return []

    async def work(reader: Any) -> int:
        seen.append(gc.isenabled())
        return 7

    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # (never connected to: nothing is read)
    monkeypatch.setenv("NEO4J_USERNAME", "neo4j")
    monkeypatch.setenv("NEO4J_PASSWORD", "unused")
    assert questions.ask(question) == []
    assert history.with_reader(work) == 7
    assert seen == [False, False] and gc.isenabled()
