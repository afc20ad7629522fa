"""Every role's direct assumers worked out in a worker process (edges/elsewhere.py) are those worked out here;
a worker that fails, or no worker, leaves the work to this process, with the same result."""

from __future__ import annotations

import logging
from typing import NoReturn

import pytest

from service.reachability.edges import EdgeBits, assume_edges, elsewhere
from service.reachability.index import PrincipalIndex
from service.reachability.who_can_assume import Assumers
from tests.unit.reachability.fake_source import run
from tests.unit.reachability.test_edges import _organization


async def _both() -> tuple[EdgeBits, EdgeBits]:
    source = _organization()
    assumers = Assumers(PrincipalIndex().view(source))
    entries = await assumers.view.entries(None)
    here = (await assume_edges(assumers, entries)).bits()
    fresh = Assumers(PrincipalIndex().view(source))  # (nothing read yet: the roles are read before the fork)
    there = await (await elsewhere.assume_edges_elsewhere(fresh, await fresh.view.entries(None)))
    return here, there


def test_the_worker_works_out_what_this_process_does(caplog: pytest.LogCaptureFixture) -> None:
    here, there = run(_both())
    assert there == here
    assert any(there.assume) and there.members
    assert "not worked out in a worker process" not in caplog.text  # (the worker did it, not the fallback)


async def _refuse(*_: object) -> NoReturn:
    raise RuntimeError("worn out")


def test_a_worker_that_fails_leaves_the_work_here_and_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(elsewhere, "_bits", _refuse)  # (the fork runs it)
    caplog.set_level(logging.WARNING, logger="accessgraph")
    here, there = run(_both())
    assert there == here
    assert "RuntimeError: worn out" in caplog.text


def test_the_worker_may_not_read_the_database() -> None:
    with pytest.raises(elsewhere.ChildCannotRead, match="may not read the database"):
        elsewhere.OfflineSource().roles([])


def test_without_a_worker_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(elsewhere.IN_CHILD, "0")
    monkeypatch.setattr(elsewhere.os, "fork", _refuse)  # (a fork would fail the test)
    here, there = run(_both())
    assert there == here
