"""Cross-check the evaluator against an independent engine, `@cloud-copilot/iam-simulate` (npm).

Not a test: it needs Node and the package, installed once with `npm ci --prefix bench/crosscheck` (the
folder's package.json and lockfile pin it; node_modules is gitignored). Nothing touches the network while
it runs. It generates requests (identity, boundary, session, SCP and RCP levels, resource policies with
Principal and NotPrincipal, conditions with a complete context, service-linked roles), decides each with
both engines and prints the agreement, then the disagreements grouped by the features of their requests.

    .venv/bin/python bench/crosscheck.py --count 2000 --seed 7 [--dump bench/results/tmp/crosscheck.json]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.errors import AccessgraphError  # noqa: E402
from service.evaluation import Request, evaluate, parse_policy, principal_from_arn  # noqa: E402

RUNNER = ROOT / "bench" / "crosscheck" / "run.mjs"
A, B = "111111111111", "222222222222"

CALLERS = {
    "alice": f"arn:aws:iam::{A}:user/alice",
    "carol": f"arn:aws:iam::{B}:user/carol",
    "dana": f"arn:aws:sts::{A}:assumed-role/dev/dana",
}
ROLE_ARNS = {"dana": f"arn:aws:iam::{A}:role/dev"}
# (action, resource, resource account): real actions on resources of the type each action takes.
TARGETS = [
    ("s3:GetObject", "arn:aws:s3:::reports/2024/q1.csv", A),
    ("s3:PutObject", "arn:aws:s3:::partner/in/x.csv", B),
    ("s3:ListBucket", "arn:aws:s3:::reports", A),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:jobs", A),
    ("sqs:ReceiveMessage", f"arn:aws:sqs:us-east-1:{B}:feed", B),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab", A),
    ("ec2:TerminateInstances", f"arn:aws:ec2:us-east-1:{A}:instance/i-0123456789abcdef0", A),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{B}:table/orders", B),
    ("iam:PutRolePolicy", f"arn:aws:iam::{A}:role/ops", A),
    ("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{A}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", A),
    ("sts:GetCallerIdentity", "*", A),
]
ACTION_PATTERNS = ["*", "s3:*", "s3:Get*", "sqs:*", "kms:*", "ec2:*", "iam:*", "dynamodb:Get*", "sts:*", "s3:?etObject"]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::reports/*",
    "arn:aws:s3:::reports",
    "arn:aws:s3:::partner/*",
    f"arn:aws:sqs:us-east-1:{A}:*",
    "arn:aws:sqs:*:*:*",
    f"arn:aws:iam::{A}:role/*",
    "arn:aws:kms:*",
    "arn:aws:*",
]
PRINCIPAL_VALUES = [
    "*",
    A,
    f"arn:aws:iam::{A}:root",
    B,
    CALLERS["alice"],
    CALLERS["carol"],
    CALLERS["dana"],
    ROLE_ARNS["dana"],
]
CONDITIONS = [
    ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, "condition"),
    ({"StringNotEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}, "ifexists"),
    ({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, "ifexists"),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, "condition"),
    ({"StringEquals": {"aws:PrincipalAccount": A}}, "condition"),
    ({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:*"}}, "condition"),
]
CONTEXTS = [
    {},
    {"aws:RequestedRegion": "eu-west-1", "aws:SourceIp": "10.1.2.3", "aws:MultiFactorAuthPresent": "true"},
    {"aws:RequestedRegion": "us-east-1", "aws:SourceIp": "192.0.2.1"},
]


def statement(
    rng: random.Random, tags: set[str], *, principal: bool, effect: str | None = None, rcp: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect or rng.choice(["Allow", "Allow", "Deny"])}
    # "RCP syntax": Principal "*" only, Action only (no NotAction), and not the bare "*".
    action_key = "Action" if rcp else rng.choice(["Action", "Action", "Action", "NotAction"])
    patterns = [p for p in ACTION_PATTERNS if p != "*"] if rcp else ACTION_PATTERNS
    out[action_key] = rng.sample(patterns, rng.randint(1, 2))
    if action_key == "NotAction":
        tags.add("notaction")
    resource_key = rng.choice(["Resource", "Resource", "Resource", "NotResource"])
    out[resource_key] = rng.sample(RESOURCE_PATTERNS, rng.randint(1, 2))
    if resource_key == "NotResource":
        tags.add("notresource")
    if rcp:
        out["Principal"] = "*"
    elif principal:
        key = "NotPrincipal" if out["Effect"] == "Deny" and rng.random() < 0.2 else "Principal"
        if key == "NotPrincipal":
            tags.add("notprincipal")
        out[key] = "*" if key == "Principal" and rng.random() < 0.2 else {"AWS": rng.sample(PRINCIPAL_VALUES, 2)}
    if rng.random() < 0.25:
        condition, tag = rng.choice(CONDITIONS)
        out["Condition"] = condition
        tags.add(tag)
    return out


def document(
    rng: random.Random, tags: set[str], *, principal: bool = False, effect: str | None = None, rcp: bool = False
) -> Any:
    count = rng.choice([1, 1, 2, 3])
    return {
        "Version": "2012-10-17",
        "Statement": [statement(rng, tags, principal=principal, effect=effect, rcp=rcp) for _ in range(count)],
    }


def scenario(rng: random.Random) -> dict[str, Any]:
    tags: set[str] = set()
    caller = rng.choice(sorted(CALLERS))
    action, resource, account = rng.choice(TARGETS)
    caller_account = CALLERS[caller].split(":")[4]
    tags.add("same-account" if caller_account == account else "cross-account")
    if "aws-service-role" in resource or action == "sts:GetCallerIdentity":
        tags.add("aws-protected")
    item: dict[str, Any] = {
        "caller": caller,
        "action": action,
        "resource": resource,
        "account": account,
        "context": rng.choice(CONTEXTS),
        "identity": [document(rng, tags) for _ in range(rng.randint(0, 2))],
    }
    if rng.random() < 0.3:
        item["boundary"] = [document(rng, tags, effect="Allow")]
        tags.add("boundary")
    if caller == "dana" and rng.random() < 0.3:
        item["session"] = document(rng, tags)
        tags.add("session")
    if rng.random() < 0.3:
        full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        item["scps"] = [
            [full, *([document(rng, tags)] if rng.random() < 0.5 else [])] for _ in range(rng.randint(1, 3))
        ]
        tags.add("scp")
    if rng.random() < 0.3:
        item["rcps"] = [[document(rng, tags, effect="Deny", rcp=True)] for _ in range(rng.randint(1, 2))]
        tags.add("rcp")
    if rng.random() < 0.6 and resource != "*":
        item["resourcePolicy"] = document(rng, tags, principal=True)
        tags.add("resource-policy")
    item["tags"] = sorted(tags)
    return item


def ours(item: dict[str, Any]) -> str:
    return decide(item)[0]


def decide(item: dict[str, Any]) -> tuple[str, bool]:
    """Our decision, and whether AWS decided it whatever the policies (a reason from `aws_protected`)."""

    def parsed(docs: list[Any], name: str) -> list[Any]:
        return [parse_policy(d, name=f"{name}[{i}]") for i, d in enumerate(docs)]

    request = Request(
        principal_from_arn(CALLERS[item["caller"]]),
        item["action"],
        item["resource"],
        resource_account=item["account"],
        context={k: (v,) for k, v in item["context"].items()},
        context_complete=True,
    )
    try:
        decision = evaluate(
            request,
            identity_policies=parsed(item["identity"], "identity"),
            permissions_boundaries=parsed(item["boundary"], "boundary") if "boundary" in item else None,
            session_policy=parse_policy(item["session"], name="session") if "session" in item else None,
            service_control_policies=[parsed(lv, "scp") for lv in item["scps"]] if "scps" in item else None,
            resource_control_policies=[parsed(lv, "rcp") for lv in item["rcps"]] if "rcps" in item else None,
            resource_policy=parse_policy(item["resourcePolicy"], name="rp") if "resourcePolicy" in item else None,
            resource_kind="kms-key" if item["action"].startswith("kms:") else "generic",
        )
    except AccessgraphError as exc:
        return f"error: {exc}", False
    return decision.decision, any(reason.policy_type == "aws" for reason in decision.explanation)


def derived_keys(caller: str) -> dict[str, str]:
    arn = ROLE_ARNS.get(caller, CALLERS[caller])
    return {"aws:PrincipalArn": arn, "aws:PrincipalAccount": arn.split(":")[4]}


def theirs(items: list[dict[str, Any]]) -> list[str]:
    def named(docs: list[Any], name: str) -> list[dict[str, Any]]:
        return [{"name": f"{name}{i}", "policy": d} for i, d in enumerate(docs)]

    simulations = []
    for item in items:
        simulation: dict[str, Any] = {
            "request": {
                "principal": CALLERS[item["caller"]],
                "action": item["action"],
                "resource": {"resource": item["resource"], "accountId": item["account"]},
                # AWS puts the caller's ARN and account in every signed request's context ("AWS global
                # condition context keys"); iam-simulate does not derive them, so they are passed.
                "contextVariables": {**derived_keys(item["caller"]), **item["context"]},
            },
            "identityPolicies": named(item["identity"], "identity"),
            "serviceControlPolicies": [
                {"orgIdentifier": f"level-{d}", "policies": named(lv, "scp")}
                for d, lv in enumerate(item.get("scps", []))
            ],
            "resourceControlPolicies": [
                {"orgIdentifier": f"level-{d}", "policies": named(lv, "rcp")}
                for d, lv in enumerate(item.get("rcps", []))
            ],
        }
        if "boundary" in item:
            simulation["permissionBoundaryPolicies"] = named(item["boundary"], "boundary")
        if "session" in item:
            simulation["sessionPolicy"] = item["session"]
        if "resourcePolicy" in item:
            simulation["resourcePolicy"] = item["resourcePolicy"]
        simulations.append(simulation)
    node = shutil.which("node")
    if node is None:
        raise SystemExit("crosscheck: node is not installed (the other engine runs on Node.js)")
    done = subprocess.run(
        [node, str(RUNNER)], input=json.dumps(simulations), capture_output=True, text=True, check=True
    )
    out = []
    for line in done.stdout.splitlines():
        answer = json.loads(line)
        out.append(answer.get("decision") or f"error: {answer['error']}")
    return out


def _rewrite_statements(item: dict[str, Any], change: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(item))
    docs = [*copy["identity"], *copy.get("boundary", []), *([copy["session"]] if "session" in copy else [])]
    docs += [d for level in copy.get("scps", []) + copy.get("rcps", []) for d in level]
    docs += [copy["resourcePolicy"]] if "resourcePolicy" in copy else []
    for doc in docs:
        doc["Statement"] = [t for st in doc["Statement"] if (t := change(st)) is not None]
    return copy


def _six_components(st: dict[str, Any]) -> dict[str, Any]:
    for key in ("Resource", "NotResource"):
        if key in st:
            st[key] = [
                p + ":*" * (5 - p.count(":")) if p.startswith("arn:") and p.count(":") < 5 else p for p in st[key]
            ]
    return st


# Each class: what it is, by the documentation, and a rewrite of the request that takes it away. A
# disagreement belongs to the first class whose rewrite makes the engines agree.
CLASSES: list[tuple[str, Any]] = [
    (
        "AWS refuses or always grants it (aws_protected: IAM UG, Service-linked roles; STS GetCallerIdentity)",
        None,
    ),
    (
        "RCP on a service RCPs do not support (Organizations UG, List of AWS services that support RCPs)",
        lambda item: {k: v for k, v in item.items() if k != "rcps"},
    ),
    (
        "ARN pattern of fewer than six components, e.g. arn:aws:kms:* (IAM UG, Resource: a trailing * spans "
        "the remaining components; iam-simulate reads them differently in NotResource and in RCPs)",
        lambda item: _rewrite_statements(item, _six_components),
    ),
    (
        "NotPrincipal: a caller escapes only when its account and its user (or role and session) are listed "
        "(IAM UG, NotPrincipal key points)",
        lambda item: _rewrite_statements(item, lambda st: None if "NotPrincipal" in st else st),
    ),
    (
        'Principal "*" and a session policy: "*" names the session itself, which no session policy limits '
        "(IAM UG, Session policies)",
        lambda item: {k: v for k, v in item.items() if k != "session"},
    ),
]


def classify(rows: list[dict[str, Any]]) -> list[str]:
    """The class of each disagreement (see CLASSES), or "unexplained"."""
    out = ["unexplained"] * len(rows)
    for i, row in enumerate(rows):
        if row.get("protected"):
            out[i] = CLASSES[0][0]
    for name, rewrite in CLASSES[1:]:
        pending = [i for i, c in enumerate(out) if c == "unexplained"]
        variants = [rewrite(rows[i]) for i in pending]
        if not variants:
            break
        mine = [ours(v) for v in variants]
        other = theirs(variants)
        for i, m, o in zip(pending, mine, other, strict=True):
            if m == o:
                out[i] = name
    return out


def smaller(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Every request one step simpler than `item`: one policy, statement, condition or context key fewer."""
    out: list[dict[str, Any]] = []

    def variant(change: Any) -> None:
        copy = json.loads(json.dumps(item))
        change(copy)
        out.append(copy)

    for key in ("boundary", "session", "scps", "rcps", "resourcePolicy"):
        if key in item:
            variant(lambda c, k=key: c.pop(k))
    for i in range(len(item["identity"])):
        variant(lambda c, i=i: c["identity"].pop(i))
    for ctx_key in item["context"]:
        variant(lambda c, k=ctx_key: c["context"].pop(k))

    def documents_of(c: dict[str, Any]) -> list[Any]:
        docs = [*c["identity"], *c.get("boundary", []), *([c["session"]] if "session" in c else [])]
        docs += [d for level in c.get("scps", []) + c.get("rcps", []) for d in level]
        return docs + ([c["resourcePolicy"]] if "resourcePolicy" in c else [])

    for d, doc in enumerate(documents_of(item)):
        for s, stmt in enumerate(doc["Statement"]):
            variant(lambda c, d=d, s=s: documents_of(c)[d]["Statement"].pop(s))
            if "Condition" in stmt:
                variant(lambda c, d=d, s=s: documents_of(c)[d]["Statement"][s].pop("Condition"))
    return out


def minimize(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shrink each disagreeing request while the engines still disagree the same way (one batch a round)."""
    current = list(items)
    for _ in range(60):
        candidates = [(i, c) for i, item in enumerate(current) for c in smaller(item)]
        if not candidates:
            break
        mine = [ours(c) for _, c in candidates]
        other = theirs([c for _, c in candidates])
        progressed: set[int] = set()
        for (i, c), m, o in zip(candidates, mine, other, strict=True):
            if i not in progressed and (m, o) == (current[i]["ours"], current[i]["theirs"]):
                current[i] = {**c, "ours": m, "theirs": o}
                progressed.add(i)
        if not progressed:
            break
    return current


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dump", type=Path, help="write every disagreement, with its request, to this JSON file")
    parser.add_argument("--minimize", action="store_true", help="shrink each dumped disagreement to its core")
    args = parser.parse_args()
    if not (RUNNER.parent / "node_modules").is_dir():
        print("install the other engine first: npm ci --prefix bench/crosscheck", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    items = [scenario(rng) for _ in range(args.count)]
    decided = [decide(item) for item in items]
    mine = [m for m, _ in decided]
    for item, (_, protected) in zip(items, decided, strict=True):
        item["protected"] = protected
    other = theirs(items)
    refused = [i for i, (m, o) in enumerate(zip(mine, other, strict=True)) if o.startswith("error")]
    our_refusals = [i for i, m in enumerate(mine) if m.startswith("error")]
    compared = [i for i in range(len(items)) if i not in set(refused) | set(our_refusals)]
    differ = [i for i in compared if mine[i] != other[i]]
    agreement = 1 - len(differ) / max(1, len(compared))
    print(f"{len(items)} requests; iam-simulate refused {len(refused)}, accessgraph refused {len(our_refusals)}")
    print(f"agreement on the {len(compared)} both decided: {agreement:.2%} ({len(differ)} disagree)")
    by_pair = Counter((mine[i], other[i]) for i in differ)
    for (m, o), n in by_pair.most_common():
        print(f"  accessgraph {m:17} iam-simulate {o:17} {n}")
    tag_counts = Counter(tag for i in differ for tag in items[i]["tags"])
    base_counts = Counter(tag for i in compared for tag in items[i]["tags"])
    for tag, n in tag_counts.most_common():
        print(f"  with {tag:16} {n:5} of {base_counts[tag]}")
    for reason, n in Counter(other[i][:120] for i in refused).most_common(5):
        print(f"  iam-simulate refused ({n}): {reason}")
    classes = classify([items[i] for i in differ])
    print("disagreements by documented class:")
    for name, n in Counter(classes).most_common():
        print(f"  {n:5}  {name}")
    explained = len(differ) - classes.count("unexplained")
    print(
        f"agreement once documented classes are set aside: {1 - (len(differ) - explained) / max(1, len(compared)):.2%}"
    )
    if args.dump:
        args.dump.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            {"ours": mine[i], "theirs": other[i], "class": c, **items[i]} for i, c in zip(differ, classes, strict=True)
        ]
        if args.minimize:
            rows = minimize(rows)
        args.dump.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
