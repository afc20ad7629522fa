"""`accessgraph load --workers N`: accounts written concurrently give the same graph as one after the other,
even when they share nodes and a reload removes what another account is adding; a failure names the file
and leaves every account with its previous snapshot or its new one, never a mix."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import neo4j
import pytest

import loaders.graph_writer
from loaders.pipeline import LoadPlan, plan_from_paths, write_plan
from service.cli import main
from tests.conftest import empty_database
from tests.support.gaad import Account, allow, trust, trusts
from tests.support.graph_state import graph_state
from tests.support.samples import EXAMPLES, write_json

pytestmark = pytest.mark.neo4j

GENERATED = [f"33333333330{i}" for i in range(1, 7)]
AWS_POLICIES = {
    "ReadOnlyAccess": allow(["s3:Get*", "s3:List*", "ec2:Describe*"]),
    "PowerUserAccess": allow("*"),
    "AmazonS3FullAccess": allow("s3:*"),
}


def _account(position: int, version: int) -> Account:
    """One generated account; neighbours trust each other, and all share AWS policies, external principals,
    a never-loaded account and placeholders of an unloaded one. Version 2 drops and adds shared things."""
    me, nxt, after = GENERATED[position], GENERATED[(position + 1) % 6], GENERATED[(position + 2) % 6]
    account = Account(me)
    aws = [account.aws_policy(name, statement) for name, statement in AWS_POLICIES.items()]
    own = account.policy("Deploy", allow(["s3:PutObject", "sts:AssumeRole"], "*"))
    boundary = account.policy("Boundary", allow("*"))
    admins = account.group("admins", managed=[aws[1], "arn:aws:iam::aws:policy/AdministratorAccess"])
    account.group("readers", managed=[aws[0]])
    account.user("alice", groups=["admins"], managed=[own], boundary=boundary)
    if not (version == 2 and position % 2 == 0):  # v2: even accounts drop ci, which a neighbour trusts
        account.user("ci", managed=[aws[2], own], tags={"team": "platform"})
    if version == 2:
        account.user("newcomer", groups=["readers"], inline=[allow("logs:*")])
    account.role("PathRole", trust(trusts({"Service": "ecs-tasks.amazonaws.com"})), managed=[aws[0]])
    account.roles[-1]["Path"] = "/team/"
    account.roles[-1]["Arn"] = account.arn("role", "team/PathRole")
    principals: list[Any] = [
        f"arn:aws:iam::{nxt}:user/ci",
        f"arn:aws:iam::{after}:root",
        "arn:aws:iam::999999999999:root",  # never loaded
        "arn:aws:iam::888888888888:user/shared",  # a placeholder all share
        f"arn:aws:sts::{nxt}:assumed-role/PathRole/session",  # relinked to team/PathRole
    ]
    if version == 1 and position == 0:
        principals.append("arn:aws:iam::777777777777:user/only-one")  # v2: its last trust goes
    if version == 2:
        principals.append(f"arn:aws:iam::{GENERATED[(position + 5) % 6]}:user/ci")  # some of these go in v2
    services = ["ec2.amazonaws.com", "lambda.amazonaws.com" if version == 1 else "glue.amazonaws.com"]
    account.role(
        "Deploy",
        trust(trusts({"AWS": principals}), trusts({"Service": services}),
              trusts({"AWS": f"arn:aws:iam::{after}:root"}, Condition={"StringEquals": {"sts:ExternalId": me}})),
        managed=[aws[1], own] if version == 1 else [aws[0], own],
        boundary=boundary,
    )
    del admins
    return account


def _folder(tmp_path: Path, version: int) -> Path:
    """The demo data (two accounts and their organization) plus the six generated accounts."""
    folder = tmp_path / f"v{version}"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("*.md"))
    for position in range(len(GENERATED)):
        _account(position, version).write(folder)
    return folder


def _load(*arguments: str) -> None:
    assert main(["load", "--quiet", *arguments]) == 0


def test_parallel_loads_and_reloads_give_the_graph_of_sequential_ones(graph: neo4j.Driver, tmp_path: Path) -> None:
    v1, v2 = _folder(tmp_path, 1), _folder(tmp_path, 2)
    _load(str(v1))
    first = graph_state(graph)
    _load(str(v2))
    second = graph_state(graph)

    empty_database(graph)
    _load("--workers", "4", str(v1))
    assert graph_state(graph) == first
    _load("--workers", "4", str(v2))
    assert graph_state(graph) == second

    records = graph.execute_query(
        "MATCH (a:Account {loaded: true}) RETURN count(a) AS loaded, "
        "COUNT { MATCH (p:Principal {placeholder: true}) } AS placeholders"
    ).records[0]
    assert records["loaded"] == 8 and records["placeholders"] > 0
    users, placeholders, orphans = (
        graph.execute_query(query).records[0][0]
        for query in (
            f"MATCH (u:User {{arn: 'arn:aws:iam::{GENERATED[0]}:user/ci'}}) RETURN count(u)",
            f"MATCH (p:Principal {{arn: 'arn:aws:iam::{GENERATED[0]}:user/ci', placeholder: true}})<-[:TRUSTS]-() "
            "RETURN count(DISTINCT p)",
            "MATCH (n) WHERE n.arn = 'arn:aws:iam::777777777777:user/only-one' "
            "OR n.key = 'service:lambda.amazonaws.com' RETURN count(n)",
        )
    )
    assert (users, placeholders, orphans) == (0, 1, 0)  # demoted, still trusted; orphans deleted


def test_parallel_progress_is_one_whole_line_per_step(
    graph: neo4j.Driver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "--workers", "4", "--batch-size", "5", str(_folder(tmp_path, 1))]) == 0
    lines = capsys.readouterr().err.splitlines()
    shapes = [
        r"\S+\.json: account \d{12}, \d+ entities read in [\d.]+ s",
        r"\S+\.json: organization o-\w+, \d+ accounts",
        r"(account \d{12}|organization o-\w+): writing \d+ rows in one transaction",
        r"(account \d{12}|organization o-\w+): wrote \d+/\d+ rows \([\d,]+ rows/s\)",
        r"(account \d{12}|organization o-\w+): writing again \(attempt \d+\) after .+",
        r"organization o-\w+: done in [\d.]+ s",
        r"account \d{12}: \d+ entities, \d+ rows in [\d.]+ s \([\d,]+ entities/s\)",
        r"warning: .+",
        r"(\S+\.json: )?resources of account \d{12}: .+",  # examples/ holds a resource snapshot (#14)
        r"\S+\.csv: credential report of account \d{12}",  # #16's files among the demo data
        r"\S+\.json: security snapshot of account \d{12}",
        r"(credential report|security snapshot) \d{12}: (writing \d+ rows in one transaction|"
        r"wrote \d+/\d+ rows \([\d,]+ rows/s\)|\d+ rows in [\d.]+ s)",
        r"history: working out the counts of \d+ account\(s\)",  # (service/history/counts.py, once at the end)
        r"history: counts recorded on \d+ load\(s\) in [\d.]+ s",
        r"history: recording who may assume which role \(for `diff`\)",  # (service/history/access_store.py)
        r"history: access recorded \([\d.]+ MB\) in [\d.]+ s",
    ]
    strays = [line for line in lines if not any(re.fullmatch(shape, line) for shape in shapes)]
    assert not strays, strays
    finished = {line.split(":")[0] for line in lines if re.fullmatch(shapes[6], line)}
    assert finished == {f"account {a}" for a in ["111111111111", "222222222222", *GENERATED]}


def test_a_bad_input_in_a_parallel_load_writes_nothing(
    graph: neo4j.Driver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _load(str(_folder(tmp_path, 1)))
    before = graph_state(graph)
    folder = _folder(tmp_path, 2)
    broken = json.loads((folder / f"gaad-{GENERATED[3]}.json").read_text(encoding="utf-8"))
    broken["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]["Effect"] = "Permit"
    path = write_json(folder / f"gaad-{GENERATED[3]}.json", broken)
    assert main(["load", "--quiet", "--workers", "4", str(folder)]) == 2
    assert str(path) in capsys.readouterr().err
    assert graph_state(graph) == before


def test_a_failed_account_names_its_file_and_every_account_keeps_one_whole_snapshot(
    graph: neo4j.Driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = _folder(tmp_path, 1), _folder(tmp_path, 2)
    failing = GENERATED[2]
    _load(str(v1))
    original = loaders.graph_writer._run_batches

    def fail_after_writing(tx: neo4j.ManagedTransaction, *args: Any) -> int:
        done: int = original(tx, *args)
        if args[1].get("accountId") == failing:  # every batch is in; now the server fails the transaction
            tx.run("RETURN 1 / $zero", zero=0).consume()
        return done

    monkeypatch.setattr(loaders.graph_writer, "_run_batches", fail_after_writing)
    assert main(["load", "--quiet", "--workers", "4", str(v2)]) == 5
    err = capsys.readouterr().err
    assert f"{v2 / f'gaad-{failing}.json'}: writing account {failing} failed (Neo.ClientError.Statement." in err
    assert f"account {failing} keeps its previous snapshot" in err
    written = re.search(r"^written \(new snapshot\): (.*)$", err, re.MULTILINE)
    kept = re.search(r"^not written \(previous snapshot kept\): (.*)$", err, re.MULTILINE)
    assert written and kept, err
    new = {name.removeprefix("account ") for name in written[1].split(", ") if name.startswith("account ")}
    old = {name.removeprefix("account ") for name in kept[1].split(", ") if name.startswith("account ")}
    assert failing not in new | old and new | old | {failing} == {"111111111111", "222222222222", *GENERATED}
    actual = graph_state(graph)

    monkeypatch.undo()
    empty_database(graph)
    _load(str(v1))
    plan = plan_from_paths([v2])
    write_plan(graph, LoadPlan(tuple(a for a in plan.accounts if a.account_id in new), plan.organizations))
    assert actual == graph_state(graph)
