"""Worlds of history made in the test: GAAD accounts (tests/support/gaad.py) through the loader's own transform
and `account_facts`, as a load records them."""

from __future__ import annotations

import json
from typing import Any

from loaders.gaad import merge_pages, transform_gaad
from service.history.facts import FactSet, account_facts
from service.history.store import RecordedLoad, World
from tests.support.gaad import Account


def gaad(account: Account) -> dict[str, Any]:
    return {"UserDetailList": account.users, "GroupDetailList": account.groups, "RoleDetailList": account.roles,
            "Policies": account.policies}


def fact_set(account: Account, load_id: str) -> FactSet:
    snapshot = transform_gaad(merge_pages([json.loads(json.dumps(gaad(account)))], f"{account.id}.json"),
                              account_id=account.id)
    return FactSet.of("account", account.id, load_id, [(f.kind, f.key, f.body) for f in account_facts(snapshot)])


def world(*accounts: Account, load: str = "load-1") -> World:
    sets = {a.id: fact_set(a, f"{a.id}-{load}") for a in accounts}
    loads = {
        ("account", a.id): RecordedLoad(f"{a.id}-{load}", "account", a.id, "2026-01-01T00:00:00+00:00", "", "", 0, {})
        for a in accounts
    }
    return World(accounts=sets, organizations={}, loads=loads)  # type: ignore[arg-type]
