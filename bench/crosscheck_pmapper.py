"""Cross-check accessgraph's privilege-escalation answers against PMapper 1.1.5 on one generated account.

    bash bench/pmapper/setup.sh                       # once: PMapper + moto in their own venv, patched
    .venv/bin/python bench/crosscheck_pmapper.py --principals 300 [--seed 1] [--fraction 0.15]

Not a test: it needs bench/pmapper/.venv. It generates one account (bench/synthetic_iam.py) with
escalation-prone grants (bench/synthetic_escalation.py), has bench/pmapper/run_pmapper.py replay it into moto's
server and run PMapper against that endpoint, loads moto's own GAAD (the same account PMapper read) into
accessgraph, and asks accessgraph's GraphQL API (in this process, with a 600 s question timeout instead of the
served 30 s) with `escalation: true`:

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ACCESSGRAPH, GraphQLFailure, free_port  # noqa: E402
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
INVENTORY_REASONS = ("ssm:SendCommand", "ssm:StartSession", "edit an existing function", "existing stack")
CREATE_TECHNIQUES = ("lambda-", "codebuild-", "ec2-", "cloudformation-", "sagemaker-", "glue-")


@dataclass(frozen=True)
class Rule:
    """A class of differences: which side has the principal, and the AWS behaviour that explains it."""

    name: str
    side: str  # "pmapper" (PMapper only) or "accessgraph" (accessgraph only)
    rule: str


RULES = {rule.name: rule for rule in (
    Rule("protected-target", "pmapper",
         "PMapper's is_connected says an admin reaches every node, service-linked roles included; AWS refuses "
         "UpdateAssumeRolePolicy and policy changes on service-linked (/aws-service-role/) and AWS-reserved "
         "roles, and only their service can assume them (IAM User Guide, 'Using service-linked roles')."),
    Rule("boundary-caps-gain", "pmapper",
         "PMapper marks a principal that can change its own policies as an admin, and an admin as reaching "
         "everything; AWS still intersects whatever the new policy grants with the principal's permissions "
         "boundary (IAM User Guide, 'Permissions boundaries for IAM entities'), so the principal does not get "
         "every action on every resource and does not reach what the boundary denies."),
    Rule("credential-unknown", "pmapper",
         "PMapper counts CreateAccessKey/CreateLoginProfile/UpdateLoginProfile as a way in; AWS allows two access "
         "keys per user and one login profile, so whether it works depends on credential state GAAD does not "
         "carry: accessgraph reports these as 'possible, credential state unknown' (iam-002/003/004/006)."),
    Rule("inventory-assumed", "pmapper",
         "PMapper assumes an EC2 instance runs with every instance profile (ssm:SendCommand/StartSession) or that "
         "existing functions/stacks exist; AWS needs the instance, function or stack to exist, which IAM data "
         "does not say: accessgraph decides these paths only with the inventory (docs/escalation.md)."),
    Rule("conditional", "accessgraph",
         "The grant holds under a condition (source IP, external id, tags, MFA...); PMapper decides with an empty "
         "request context and drops it, accessgraph keeps it with its conditions: AWS allows the request "
         "exactly when the condition holds."),
    Rule("scoped-create", "accessgraph",
         "PMapper asks lambda:CreateFunction (codebuild:CreateProject, ...) on '*'; AWS authorizes the create "
         "against the ARN of the new function or project, which the caller names, so a grant scoped to a name "
         "pattern (function:team-*) is enough (Service Authorization Reference, resource types of each action)."),
    Rule("resource-pattern", "accessgraph",
         "whoCan's resource '*' is a pattern in accessgraph: principals allowed on some resource it covers. "
         "PMapper matches the literal string '*' against each statement's Resource, so a grant on "
         "arn:aws:s3:::bucket/* is not found; on AWS it allows the request for every object of the bucket."),
    Rule("not-modelled", "accessgraph",
         "The path uses a technique PMapper 1.1.5 has no edge checker for (joining a group, changing another "
         "principal's policies, Glue/ECS/... service roles); AWS allows it when every required action is "
         "allowed for the principal."),
    Rule("hop-limit", "pmapper",
         "PMapper's search is unbounded; accessgraph stops at maxHops (at most 5) steps of any kind."),
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


def classify(difference: Difference, *, target: str | None, bounded_admins: set[str],
             max_hops: int = 5, pattern: bool = False) -> Difference:
    """Name the rule that explains one difference, or leave it None (unexplained)."""
    evidence = " | ".join(difference.evidence)
    if difference.side == "pmapper":
        through_admin = {item.removeprefix("admin:") for item in difference.evidence if item.startswith("admin:")}
        if target and any(path in target for path in PROTECTED_PATHS):
            difference.rule = "protected-target"
        elif any(reason in evidence for reason in CREDENTIAL_REASONS):
            difference.rule = "credential-unknown"
        elif any(reason in evidence for reason in INVENTORY_REASONS):
            difference.rule = "inventory-assumed"
        elif through_admin & bounded_admins:
            difference.rule = "boundary-caps-gain"
        elif len([e for e in difference.evidence if not e.startswith("admin:")]) > max_hops:
            difference.rule = "hop-limit"
        return difference
    techniques = [item.split("->")[0] for item in difference.evidence if "-" in item.split("->")[0]]
    if "conditional" in difference.evidence:
        difference.rule = "conditional"
    elif any(technique not in PMAPPER_MODELS for technique in techniques):
        difference.rule = "not-modelled"
    elif any(item.startswith(CREATE_TECHNIQUES) and item.endswith("scoped") for item in difference.evidence):
        difference.rule = "scoped-create"
    elif pattern:
        difference.rule = "resource-pattern"
    return difference


# -- accessgraph's side -------------------------------------------------------------------------------------

STEPS = "conditionText paths { steps { kind technique statement from { arn } to { arn } } }"
ADMINS = (f"query($a: String, $h: Int) {{ admins(accountId: $a, escalation: true, maxHops: $h) "
          f"{{ principal {{ arn }} {STEPS} }} }}")
WHO_CAN_ASSUME = (f"query($r: String!, $h: Int) {{ whoCanAssume(roleArn: $r, maxHops: $h, escalation: true) "
                  f"{{ principal {{ arn }} {STEPS} }} }}")
WHO_CAN_Q = (f"query($x: String!, $r: String!, $h: Int) {{ whoCan(action: $x, resource: $r, maxHops: $h, "
             f"escalation: true) {{ principal {{ arn }} {STEPS} }} }}")


def _answers(rows: list[dict[str, Any]], principals: set[str]) -> dict[str, list[str]]:
    """Principal ARN -> its first path as evidence: step kinds, `technique->target` for escalation steps
    (`...->target scoped` when a granting statement names resources, not '*'), and `conditional` when the
    answer holds under conditions. Only users and roles that exist in the account are compared."""
    found: dict[str, list[str]] = {}
    for row in rows:
        arn = row["principal"]["arn"]
        if arn not in principals:
            continue
        steps = row["paths"][0]["steps"] if row["paths"] else []
        evidence = [_step(step) for step in steps] or ["direct"]
        found[arn] = [*evidence, "conditional"] if row.get("conditionText") else evidence
    return found


def _step(step: dict[str, Any]) -> str:
    if not step.get("technique"):
        return str(step["kind"])
    # one entry per required action: {"action", "resource", "statement": the granting statement}
    granted = [entry.get("statement") or {} for entry in json.loads(step["statement"] or "[]")]
    scoped = any(_resources(statement) != ["*"] for statement in granted if isinstance(statement, dict))
    return f"{step['technique']}->{step['to']['arn'].rsplit('/', 1)[-1]}{' scoped' if scoped else ''}"


def _resources(statement: dict[str, Any]) -> list[str]:
    value = statement.get("Resource", "*")
    return [value] if isinstance(value, str) else list(value)


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


Ask = Callable[[str, dict[str, Any]], dict[str, Any]]
QUESTION_TIMEOUT = 600.0  # the served API's 30 s guards a shared server; a cross-check on a busy machine may wait


@contextmanager
def in_process_api() -> Iterator[Ask]:
    """accessgraph's application in this process (Starlette's TestClient runs its lifespan), with a longer
    question timeout than the served default."""
    from starlette.testclient import TestClient

    from service.api.app import create_app
    from service.api.context import Limits

    with TestClient(create_app(limits=Limits(query_timeout_seconds=QUESTION_TIMEOUT), tokens=())) as client:
        def ask(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = client.post("/graphql", json={"query": query, "variables": variables}).json()
            if body.get("errors") or not body.get("data"):
                raise GraphQLFailure(f"GraphQL errors: {body.get('errors')}")
            data: dict[str, Any] = body["data"]
            return data

        yield ask


def compare(pmapper: dict[str, Any], post: Ask, max_hops: int, bounded: set[str]) -> Comparison:
    """Ask accessgraph every question PMapper answered and compare principal sets.

    `bounded`: the principals with a permissions boundary (from the GAAD both tools read)."""
    account = pmapper["account"]
    principals = {node["arn"] for node in pmapper["nodes"]}
    admins = {node["arn"] for node in pmapper["nodes"] if node["admin"]}
    paths = _PMapperPaths(pmapper["edges"], admins)
    bounded_admins = admins & bounded

    def classifier(target: str | None, pattern: bool = False) -> Any:
        return lambda d: classify(d, target=target, bounded_admins=bounded_admins, max_hops=max_hops,
                                  pattern=pattern)

    result = Comparison()
    ours = _answers(post(ADMINS, {"a": account, "h": max_hops})["admins"], principals)
    theirs = {arn: [f"admin:{arn}"] for arn in admins}
    theirs |= {arn: paths.to_admin(arn) for arn in pmapper["privesc"]}
    result.add("admins", f"admins({account})", theirs, ours, classifier(None))
    for role in sorted(principals):
        if ":role/" not in role:
            continue
        reached = {source: paths.between(source, role) for source, targets in pmapper["reach"].items()
                   if role in targets}
        ours = _answers(post(WHO_CAN_ASSUME, {"r": role, "h": max_hops})["whoCanAssume"], principals)
        ours.pop(role, None)
        result.add("whoCanAssume", f"whoCanAssume({role})", reached, ours, classifier(role))
    for answer in pmapper["whoCanDo"]:
        ours = _answers(post(WHO_CAN_Q, {"x": answer["action"], "r": answer["resource"], "h": max_hops})
                        ["whoCan"], principals)
        theirs = {arn: [f"admin:{arn}"] if path == ["admin"] else path for arn, path in answer["principals"].items()}
        result.add("whoCan", f"whoCan({answer['action']}, {answer['resource']})", theirs, ours,
                   classifier(None, pattern="*" in answer["resource"]))
    return result


class _PMapperPaths:
    """Shortest PMapper edge paths, as reason lists; an admin on the way shows as `admin:<arn>` (PMapper's
    is_connected short-cut: an admin reaches every node)."""

    def __init__(self, edges: list[dict[str, str]], admins: set[str]) -> None:
        self.out: dict[str, list[tuple[str, str]]] = {}
        for edge in edges:
            self.out.setdefault(edge["from"], []).append((edge["to"], edge["reason"]))
        self.admins = admins

    def _search(self, source: str, done: Any) -> list[str]:
        seen, frontier = {source}, [(source, list[str]())]
        while frontier:
            following = []
            for node, reasons in frontier:
                if node != source and done(node):
                    return reasons
                if node in self.admins:
                    return [*reasons, f"admin:{node}"]
                for target, reason in self.out.get(node, ()):
                    if target not in seen:
                        seen.add(target)
                        following.append((target, [*reasons, f"{reason} {target.rsplit('/', 1)[-1]}"]))
            frontier = following
        return ["no path"]

    def between(self, source: str, target: str) -> list[str]:
        return self._search(source, lambda node: node == target)

    def to_admin(self, source: str) -> list[str]:
        return self._search(source, lambda node: node in self.admins)


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


def _bounded(work: Path, account: str) -> set[str]:
    gaad = json.loads((work / "pmapper" / f"gaad-{account}.json").read_text())
    return {entity["Arn"] for key in ("UserDetailList", "RoleDetailList") for entity in gaad[key]
            if entity.get("PermissionsBoundary")}


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
    parser.add_argument("--reuse", action="store_true", help="with --work: reuse PMapper's report found there "
                        "(PMapper alone takes over ten minutes at 300 principals)")
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
        reused = work / "pmapper" / "pmapper.json"
        reuse = args.reuse and reused.exists()
        pmapper = json.loads(reused.read_text()) if reuse else run_pmapper(gaad, work, WHO_CAN)
        for refused in pmapper["skipped"]:
            print(f"moto refused {refused}")
        with neo4j(args.bolt_port):
            load = work / "load"
            load.mkdir(exist_ok=True)
            (load / f"gaad-{account.id}.json").write_text((work / "pmapper" / f"gaad-{account.id}.json").read_text())
            subprocess.run([ACCESSGRAPH, "load", "--quiet", str(load)], check=True)
            with in_process_api() as ask:
                try:
                    result = compare(pmapper, ask, args.max_hops, _bounded(work, account.id))
                except GraphQLFailure as exc:
                    print(f"crosscheck_pmapper: accessgraph did not answer (a server without `escalation`?): {exc}",
                          file=sys.stderr)
                    return 3
    return report(result)


if __name__ == "__main__":
    sys.exit(main())
