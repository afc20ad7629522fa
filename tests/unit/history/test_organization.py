"""An organization's loads: accounts, units and SCPs added, removed or changed, and where each account sits
(the levels whoCanAssume reads) from the recorded facts."""

from __future__ import annotations

import json
from pathlib import Path

from loaders.organizations import transform_organization
from service.history.changes import fact_changes
from service.history.facts import FactSet, organization_facts
from service.history.source import FactSource
from service.history.store import RecordedLoad, World
from tests.support.gaad import allow, deny, document, organization
from tests.unit.reachability.fake_source import run


def org_world(folder: Path, levels: dict[str, list[dict[str, object]]], accounts: dict[str, str]) -> World:
    path = organization(folder, levels=levels, accounts=accounts)
    snapshot = transform_organization(json.loads(path.read_text(encoding="utf-8")), str(path))
    rows = [(f.kind, f.key, f.body) for f in organization_facts(snapshot)]
    facts = FactSet.of("organization", snapshot.id, "l", rows)
    load = RecordedLoad("l", "organization", snapshot.id, "2026-01-01T00:00:00+00:00", "", "", 0, {})
    return World(accounts={}, organizations={snapshot.id: facts}, loads={("organization", snapshot.id): load})


def test_organization_changes_and_levels(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = org_world(tmp_path / "a", {"r-root": [document(allow("*"))]}, {"111111111111": "r-root"})
    after = org_world(
        tmp_path / "b",
        {"r-root": [document(allow("*"), deny("iam:*"))]},
        {"111111111111": "ou-team", "222222222222": "r-root"},
    )
    found = fact_changes(before, after)
    assert [(e.kind, e.arn, e.change) for e in found.entities] == [("orgAccount", "222222222222", "added")]
    (scp,) = found.documents
    assert scp.kind == "orgPolicy" and [s.change for s in scp.statements] == ["added"]

    (record,) = run(FactSource(after).account_organizations(["111111111111"]))
    assert [level.id for level in record.levels] == ["r-root", "ou-team", "111111111111"]
    assert record.organization_id == "o-testorg001" and record.management_account_id == "999999999999"
    assert [p.name for p in record.levels[0].policies] == ["scp-r-root-0"]


def test_the_same_organization_read_in_another_order_puts_every_account_at_the_same_place(tmp_path: Path) -> None:
    """Two loads of an unchanged organization whose policies the store returns in another order: every
    account is at the same place in both worlds (its levels compare equal), so no role's own side changed and
    no principal is taken to decide otherwise. Before, the levels kept the read order: at 100k principals every
    account of the organization was at another place, and every decision class was compared member by member."""
    (tmp_path / "a").mkdir()
    levels = {"r-root": [document(allow("*")), document(deny("iam:*")), document(deny("s3:*"))]}
    before = org_world(tmp_path / "a", levels, {"111111111111": "r-root", "222222222222": "ou-team"})
    (org_id, facts), = before.organizations.items()
    reordered = {kind: dict(reversed(list(by_key.items()))) for kind, by_key in facts.facts.items()}
    shuffled = FactSet("organization", org_id, "l2", reordered)
    after = World(accounts={}, organizations={org_id: shuffled}, loads=before.loads)
    old, new = FactSource(before), FactSource(after)
    assert [p.id for p in old.levels["111111111111"][2][0].policies] == sorted(facts.of_kind("orgPolicy"))
    assert old.levels == new.levels
