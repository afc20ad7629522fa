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
