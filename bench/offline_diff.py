"""`access_changes` offline: both worlds built in memory from two folders of GAAD files (and organization
files), as the loaders transform them and a load records them, with no Neo4j; times it and writes the access
and admin sections of `diff --format json` to OUT (docs/history.md, "Which principals are decided").

    python bench/offline_diff.py BEFORE_DIR AFTER_DIR OUT.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loaders.gaad import merge_pages, transform_gaad
from loaders.organizations import transform_organization
from service.history import access
from service.history.facts import FactSet, account_facts, organization_facts
from service.history.store import RecordedLoad, World


def world(folder: Path, tag: str) -> World:
    accounts: dict[str, FactSet] = {}
    organizations: dict[str, FactSet] = {}
    loads: dict[tuple[str, str], RecordedLoad] = {}
    for path in sorted(folder.glob("gaad-*.json")):
        snapshot = transform_gaad(merge_pages([json.loads(path.read_text())], path.name))
        load_id = f"{snapshot.account_id}-{tag}"
        facts = [(f.kind, f.key, f.body) for f in account_facts(snapshot)]
        accounts[snapshot.account_id] = FactSet.of("account", snapshot.account_id, load_id, facts)
        loads[("account", snapshot.account_id)] = RecordedLoad(load_id, "account", snapshot.account_id, "t", "", "",
                                                               0, {})
    for path in sorted(folder.glob("organization*.json")):
        organization = transform_organization(json.loads(path.read_text()), path.name)
        load_id = f"{organization.id}-{tag}"
        facts = [(f.kind, f.key, f.body) for f in organization_facts(organization)]
        organizations[organization.id] = FactSet.of("organization", organization.id, load_id, facts)
        loads[("organization", organization.id)] = RecordedLoad(load_id, "organization", organization.id, "t", "", "",
                                                                0, {})
    return World(accounts=accounts, organizations=organizations, loads=loads)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    before, after = world(args.before, "1"), world(args.after, "2")
    print("worlds", round(time.perf_counter() - started, 1), flush=True)
    started = time.perf_counter()
    found, admins = asyncio.run(access.access_changes(before, after))
    print("access_changes", round(time.perf_counter() - started, 1), len(found), len(admins), flush=True)
    sections = {"access": [access.as_json(a) for a in found], "admins": [access.as_json(a) for a in admins]}
    args.out.write_text(json.dumps(sections, indent=0))


if __name__ == "__main__":
    main()
