"""`accessgraph diff`'s progress: the access part says how many roles are decided of how many, and a quick
diff prints nothing."""

from __future__ import annotations

import asyncio
import io

import pytest

from service.cli import history as history_cli
from service.cli.history import DiffProgress
from service.history.access import access_changes
from tests.support.history_accounts import account_a, account_b, changed_a
from tests.unit.history.worlds import world


def test_a_quick_diff_prints_nothing_and_a_long_one_says_how_far_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(history_cli.time, "monotonic", lambda: clock[0])

    quick = io.StringIO()
    progress = DiffProgress(quick, interval=5.0)
    for done in range(11):
        clock[0] += 0.1
        progress(done, 10)
    assert quick.getvalue() == ""

    long = io.StringIO()
    progress = DiffProgress(long, interval=5.0)
    progress(0, 100)
    clock[0] += 6
    progress(3, 100)  # 2 s a role: 97 left
    clock[0] += 1
    progress(4, 100)  # (within the interval: nothing)
    clock[0] += 5
    progress(5, 100)
    clock[0] += 3
    progress(100, 100)
    assert long.getvalue().splitlines() == [
        "accessgraph diff: who gained or lost each role: 3/100 roles decided (6 s; about 3 min left at this pace; "
        "--no-access leaves this part out)",
        "accessgraph diff: who gained or lost each role: 5/100 roles decided (12 s; about 4 min left at this pace; "
        "--no-access leaves this part out)",
        "accessgraph diff: 100 roles decided in 15 s",
    ]


def test_the_access_part_tells_each_role_decided_of_how_many() -> None:
    a, b = account_a(), account_b()
    heard: list[tuple[int, int]] = []
    asyncio.run(access_changes(world(a, b), world(changed_a(a), b, load="load-2"), None, lambda *x: heard.append(x)))
    total = heard[-1][1]
    assert total > 0 and heard == [(done, total) for done in range(total + 1)]
