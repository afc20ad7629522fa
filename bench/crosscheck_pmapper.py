"""Cross-check accessgraph's privilege-escalation answers against PMapper 1.1.5 on one generated account.

    bash bench/pmapper/setup.sh                       # once: PMapper + moto in their own venv, patched
    .venv/bin/python bench/crosscheck_pmapper.py --principals 300 [--seed 1] [--fraction 0.15]

Not a test: it needs bench/pmapper/.venv. It generates one account (bench/synthetic_iam.py) with
escalation-prone grants (bench/synthetic_escalation.py), has bench/pmapper/run_pmapper.py replay it into moto's
server and run PMapper against that endpoint, loads moto's own GAAD (the same account PMapper read) into
accessgraph, serves the API and asks, with `escalation: true`:

    admins(accountId)        vs PMapper's admins + the privesc preset (non-admins that reach an admin)
    whoCanAssume(role)       vs every node PMapper's transitive search reaches the role from, for every role
    whoCan(action, resource) vs PMapper's transitive "who can do", for each --who-can question

It prints the agreement per question kind, then every difference with its class and the AWS rule behind the
class (docs/benchmarks.md, "Cross-check with PMapper"). Neo4j: NEO4J_URI if set, else a local instance named
`crosscheck` on --bolt-port, started and stopped here. Exit codes: 0 compared (differences are findings, not
failures); 1 a difference no class explains; 2 bad arguments or PMapper's venv missing; 3 the API does not
answer `escalation: true` yet.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ACCESSGRAPH, GraphQLFailure, free_port, post, served_api  # noqa: E402
from bench.synthetic_escalation import add_escalation_grants  # noqa: E402
from bench.synthetic_iam import account_gaad  # noqa: E402
from bench.synthetic_org import plan  # noqa: E402

PMAPPER_PYTHON = ROOT / "bench" / "pmapper" / ".venv" / "bin" / "python"
RUNNER = ROOT / "bench" / "pmapper" / "run_pmapper.py"
WHO_CAN = ("iam:CreateUser=*", "s3:GetObject=*", "secretsmanager:GetSecretValue=*", "ec2:TerminateInstances=*")
PROTECTED_PATHS = ("/aws-service-role/", "/aws-reserved/")
# PMapper 1.1.5's edge checkers and admin test, as technique ids of service/escalation/catalogue.toml.
PMAPPER_MODELS = frozenset({
    "sts-001", "iam-002", "iam-003", "iam-004", "iam-006", "iam-012",  # sts_edges, iam_edges
    "iam-001", "iam-005", "iam-007", "iam-008", "iam-009", "iam-010", "iam-011",  # update_admin_status
    "ec2-001", "lambda-001", "lambda-003", "lambda-004", "cloudformation-001", "cloudformation-002",
    "codebuild-001", "codebuild-002", "sagemaker-001", "sagemaker-002", "sagemaker-003", "ssm-001", "ssm-002",
})
CREDENTIAL_REASONS = ("can create access keys", "can set the password")


@dataclass(frozen=True)
class Rule:
    """A class of differences: which side has the principal, and the AWS behaviour that explains it."""

    name: str
    side: str  # "pmapper" (PMapper only) or "accessgraph" (accessgraph only)
    rule: str


RULES = {rule.name: rule for rule in (
    Rule("protected-target", "pmapper",
         "PMapper's is_connected says an admin reaches every node; AWS refuses UpdateAssumeRolePolicy and policy "
         "changes on service-linked (/aws-service-role/) and AWS-reserved roles, and only their service assumes "
         "them (IAM User Guide, 'Using service-linked roles')."),
    Rule("credential-unknown", "pmapper",
         "PMapper counts CreateAccessKey/CreateLoginProfile/UpdateLoginProfile as a way in; AWS allows two access "
         "keys per user and one login profile, so whether it works depends on credential state GAAD does not "
         "carry: accessgraph reports these as 'possible, credential state unknown' (iam-002/003/004/006)."),
    Rule("create-role-admin", "pmapper",
         "PMapper marks iam:CreateRole + iam:AttachRolePolicy/PutRolePolicy as admin; the new role still needs a "
         "trust policy that admits the creator and sts:AssumeRole, which PMapper does not check and the "
         "catalogue's IAM-only paths do not include."),
    Rule("not-modelled", "accessgraph",
         "The path uses a technique PMapper 1.1.5 has no edge checker for (joining a group, changing another "
         "principal's policies, Glue/ECS/... service roles); AWS allows it when every required action is "
         "allowed for the principal."),
    Rule("hop-limit", "pmapper",
         "PMapper's search is unbounded; accessgraph stops at maxHops (at most 5) steps of any kind."),
    Rule("pmapper-ignores-condition", "pmapper",
         "PMapper decides with an empty request context; a grant whose condition the technique's request "
         "cannot meet (iam:PassedToService naming another service) is not a way in on AWS."),
)}


@dataclass
class Difference:
    question: str
    principal: str
    side: str
    evidence: list[str] = field(default_factory=list)
    rule: str | None = None


@dataclass
class Comparison:
    agreements: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    differences: list[Difference] = field(default_factory=list)

    def add(self, kind: str, question: str, pmapper: dict[str, list[str]], accessgraph: dict[str, list[str]],
            classify: Any) -> None:
        """One question: PMapper's principals (with edge reasons) against accessgraph's (with techniques)."""
        both = pmapper.keys() & accessgraph.keys()
        self.agreements[kind] += len(both)
        self.totals[kind] += len(pmapper.keys() | accessgraph.keys())
        for arn in sorted(pmapper.keys() - accessgraph.keys()):
            self.differences.append(classify(Difference(question, arn, "pmapper", pmapper[arn])))
        for arn in sorted(accessgraph.keys() - pmapper.keys()):
            self.differences.append(classify(Difference(question, arn, "accessgraph", accessgraph[arn])))


def classify(difference: Difference, *, target: str | None, admins: set[str]) -> Difference:
    """Name the rule that explains one difference, or leave it None (unexplained)."""
    evidence = " | ".join(difference.evidence)
    if difference.side == "pmapper":
        if target and any(path in target for path in PROTECTED_PATHS) and difference.principal in admins:
            difference.rule = "protected-target"
        elif any(reason in evidence for reason in CREDENTIAL_REASONS):
            difference.rule = "credential-unknown"
        elif evidence == "admin" and difference.principal in admins:
            difference.rule = "create-role-admin" if "create-role" in difference.evidence else None
    elif any(technique not in PMAPPER_MODELS for technique in difference.evidence if "-" in technique):
        difference.rule = "not-modelled"
    return difference


# -- accessgraph's side -------------------------------------------------------------------------------------

STEPS = "paths { steps { kind technique from { arn } to { arn } } }"
ADMINS = (f"query($a: String, $h: Int) {{ admins(accountId: $a, escalation: true, maxHops: $h) "
          f"{{ principal {{ arn }} {STEPS} }} }}")
WHO_CAN_ASSUME = (f"query($r: String!, $h: Int) {{ whoCanAssume(roleArn: $r, maxHops: $h, escalation: true) "
                  f"{{ principal {{ arn }} {STEPS} }} }}")
WHO_CAN_Q = (f"query($x: String!, $r: String!, $h: Int) {{ whoCan(action: $x, resource: $r, maxHops: $h, "
             f"escalation: true) {{ principal {{ arn }} {STEPS} }} }}")


def _answers(rows: list[dict[str, Any]], account: str) -> dict[str, list[str]]:
    """Principal ARN -> the techniques on its first path ('direct' when none): users and roles of the account."""
    found: dict[str, list[str]] = {}
    for row in rows:
        arn = row["principal"]["arn"]
        if f":{account}:" not in arn or not (":user/" in arn or ":role/" in arn):
            continue
        steps = row["paths"][0]["steps"] if row["paths"] else []
        found[arn] = [step["technique"] or step["kind"] for step in steps] or ["direct"]
    return found


@contextmanager
def neo4j(bolt_port: int | None) -> Iterator[None]:
    """NEO4J_URI as set, else a local instance `crosscheck` started here and stopped afterwards."""
    if os.environ.get("NEO4J_URI"):
        yield
        return
    from service.database.lifecycle import start, stop
    from service.database.local import LocalServer, ServerConfig

    server = LocalServer(instance="crosscheck")
    config = ServerConfig(bolt_port=bolt_port or free_port(), heap="1g", page_cache="512m")
    report = start(server, config, lambda message: print(f"neo4j: {message}", file=sys.stderr))
    credentials = server.credentials(config)
    os.environ.update(NEO4J_URI=report.uri, NEO4J_USERNAME=credentials.username,
                      NEO4J_PASSWORD=credentials.password)
    try:
        yield
    finally:
        if not report.already_running:
            stop(server)


def compare(pmapper: dict[str, Any], url: str, max_hops: int) -> Comparison:
    """Ask accessgraph every question PMapper answered and compare principal sets."""
    account = pmapper["account"]
    admins = {node["arn"] for node in pmapper["nodes"] if node["admin"]}
    result = Comparison()
    ours = _answers(post(url, ADMINS, {"a": account, "h": max_hops})["admins"], account)
    theirs = {arn: ["admin"] for arn in admins} | pmapper["privesc"]
    result.add("admins", f"admins({account})", theirs, ours, lambda d: classify(d, target=None, admins=admins))
    for node in pmapper["nodes"]:
        role = node["arn"]
        if ":role/" not in role:
            continue
        reached = {source: _reach_evidence(pmapper, source, role, admins)
                   for source, targets in pmapper["reach"].items() if role in targets}
        ours = _answers(post(url, WHO_CAN_ASSUME, {"r": role, "h": max_hops})["whoCanAssume"], account)
        ours.pop(role, None)
        result.add("whoCanAssume", f"whoCanAssume({role})", reached, ours,
                   lambda d, role=role: classify(d, target=role, admins=admins))
    for answer in pmapper["whoCanDo"]:
        ours = _answers(post(url, WHO_CAN_Q, {"x": answer["action"], "r": answer["resource"], "h": max_hops})
                        ["whoCan"], account)
        result.add("whoCan", f"whoCan({answer['action']}, {answer['resource']})", answer["principals"], ours,
                   lambda d: classify(d, target=None, admins=admins))
    return result


def _reach_evidence(pmapper: dict[str, Any], source: str, target: str, admins: set[str]) -> list[str]:
    if source in admins:
        return ["admin"]
    return [edge["reason"] for edge in pmapper["edges"] if edge["from"] == source and edge["to"] == target] \
        or ["transitive"]


# -- the run ------------------------------------------------------------------------------------------------

def run_pmapper(gaad: dict[str, Any], work: Path, who_can: tuple[str, ...]) -> dict[str, Any]:
    source = work / "generated.json"
    source.write_text(json.dumps(gaad))
    command = [str(PMAPPER_PYTHON), str(RUNNER), str(source), str(work / "pmapper")]
    for question in who_can:
        command += ["--who-can", question]
    subprocess.run(command, check=True)
    report: dict[str, Any] = json.loads((work / "pmapper" / "pmapper.json").read_text())
    return report


def report(result: Comparison) -> int:
    for kind, total in result.totals.items():
        share = result.agreements[kind] / total if total else 1.0
        print(f"{kind:13} {result.agreements[kind]:6} agreements of {total:6} principals ({share:.1%})")
    by_rule = Counter((d.side, d.rule) for d in result.differences)
    for (side, rule), count in sorted(by_rule.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        print(f"\n{count} found only by {side}: {rule or 'UNEXPLAINED'}")
        if rule:
            print(f"  rule: {RULES[rule].rule}")
        for difference in result.differences:
            if (difference.side, difference.rule) == (side, rule):
                print(f"  {difference.question}: {difference.principal}  [{' | '.join(difference.evidence)}]")
    return 1 if any(d.rule is None for d in result.differences) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--principals", type=int, default=300, help="users + roles of the generated account")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fraction", type=float, default=0.15, help="share of principals given an escalation grant")
    parser.add_argument("--max-hops", type=int, default=5)
    parser.add_argument("--bolt-port", type=int, help="port of the local Neo4j instance (default: a free one)")
    parser.add_argument("--work", type=Path, help="keep the GAAD files and PMapper's report here")
    args = parser.parse_args(argv)
    if not PMAPPER_PYTHON.exists():
        parser.error(f"{PMAPPER_PYTHON} is missing: run `bash bench/pmapper/setup.sh` first")
    org = plan(args.principals, 1, args.seed)
    account = org.accounts[0]
    gaad = account_gaad(org, account)
    grants = add_escalation_grants(gaad, account_id=account.id, seed=args.seed, fraction=args.fraction)
    print(f"account {account.id}: {account.users} users + {account.roles} roles, "
          f"{len(grants.kinds)} escalation grants {dict(Counter(grants.kinds.values()))}")
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        pmapper = run_pmapper(gaad, work, WHO_CAN)
        for refused in pmapper["skipped"]:
            print(f"moto refused {refused}")
        with neo4j(args.bolt_port):
            load = work / "load"
            load.mkdir(exist_ok=True)
            (load / f"gaad-{account.id}.json").write_text((work / "pmapper" / f"gaad-{account.id}.json").read_text())
            subprocess.run([ACCESSGRAPH, "load", "--quiet", str(load)], check=True)
            with served_api() as api:
                try:
                    result = compare(pmapper, api.url, args.max_hops)
                except GraphQLFailure as exc:
                    print(f"crosscheck_pmapper: the API does not answer escalation questions yet: {exc}",
                          file=sys.stderr)
                    return 3
    return report(result)


if __name__ == "__main__":
    sys.exit(main())
