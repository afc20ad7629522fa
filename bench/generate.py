"""Generate a synthetic AWS organization: one GAAD file per account plus an Organizations snapshot.

    python bench/generate.py --principals 10000 --out DIR [--seed 1] [--accounts N] [--resources N]

Writes `DIR/gaad-<account id>.json` (the shape `aws iam get-account-authorization-details` prints) and
`DIR/organization.json` (the shape `accessgraph collect --organization` writes); `accessgraph load DIR`
loads them all (`--security` adds `credential-report-<account>.csv` and `security-<account>.json` per
account). Principals are users + roles, split over `--accounts` accounts (default one per
~1,000 principals, at least 3) of uneven sizes that sum exactly to `--principals`. Same arguments, same
bytes. Stale `gaad-*.json` files in DIR from an earlier run are removed so DIR holds exactly one
organization. Accounts are generated and written one at a time, so memory stays flat at any size.
With resources (#14; the command's default is 0.2 per principal), `DIR/resources-<account id>.json` holds
each account's resource snapshot (the shape `accessgraph collect --resources` writes).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic_escalation import add_escalation_grants
from bench.synthetic_iam import account_gaad
from bench.synthetic_org import OrgPlan, organization_snapshot, plan
from bench.synthetic_resources import account_resources, split
from bench.synthetic_security import write_account_security

GAAD_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
ORGANIZATION_FILE = "organization.json"
RESOURCES_PER_PRINCIPAL = 0.2  # the CLI's default: 20,000 resources at 100,000 principals


@dataclass
class Generated:
    """What was written: the plan, the files, the counts, and the role ARNs (for benchmarks to sample)."""

    plan: OrgPlan
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    role_arns: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {"principals": self.plan.principals, "accounts": len(self.plan.accounts), "seed": self.plan.seed,
                "organizationId": self.plan.org_id, **self.counts, "bytes": self.bytes,
                "seconds": round(self.seconds, 2)}


def generate(
    out: Path,
    principals: int,
    *,
    accounts: int | None = None,
    seed: int = 1,
    resources: int = 0,
    security: bool = False,
) -> Generated:
    """Write the organization into `out` (created if needed) and return what was written; with `resources`,
    that many resources (#14) too, one snapshot per account (`out/resources-<account id>.json`); with
    `security`, each account's credential report and security snapshot (bench/synthetic_security.py, #16).

    Raises:
        ValueError: too few principals for the accounts asked for.
    """
    started = time.perf_counter()
    org = plan(principals, accounts, seed)
    out.mkdir(parents=True, exist_ok=True)
    wanted = {f"gaad-{account.id}.json" for account in org.accounts}
    for stale in out.glob("gaad-*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for pattern in ("credential-report-*.csv", "security-*.json"):  # #16's files of an earlier run
        for stale in out.glob(pattern):
            stale.unlink()
    result = Generated(org)
    counts = dict.fromkeys(("users", "roles", "groups", "customerPolicies", "inlinePolicies",
                            "awsManagedPolicies", "trustStatements"), 0)
    for stale in out.glob("resources-*.json"):
        stale.unlink()  # a run with fewer (or no) resources leaves none of an earlier run's
    shares = split(org, resources) if resources else {}
    for account in org.accounts:
        gaad = account_gaad(org, account)
        add_escalation_grants(gaad, account_id=account.id, seed=org.seed)
        _count(gaad, counts)
        roles = [role["Arn"] for role in gaad["RoleDetailList"]]
        result.role_arns.extend(roles)
        result.files.append(_write_gaad(out / f"gaad-{account.id}.json", gaad))
        if shares.get(account.id):
            snapshot = account_resources(org, account, shares[account.id], roles)
            path = out / f"resources-{account.id}.json"
            _atomic_write(path, json.dumps(snapshot) + "\n")
            result.files.append(path)
        if security:
            result.files.extend(write_account_security(out, gaad, account.id, seed))
    if resources:
        counts["resources"] = resources
    snapshot = out / ORGANIZATION_FILE
    _atomic_write(snapshot, json.dumps(organization_snapshot(org), indent=4) + "\n")
    result.files.append(snapshot)
    counts["organizationalUnits"] = len(org.units)
    counts["serviceControlPolicies"] = len(organization_snapshot(org)["Policies"])
    result.counts = counts
    result.bytes = sum(path.stat().st_size for path in result.files)
    result.seconds = time.perf_counter() - started
    return result


def _count(gaad: dict[str, Any], counts: dict[str, int]) -> None:
    counts["users"] += len(gaad["UserDetailList"])
    counts["roles"] += len(gaad["RoleDetailList"])
    counts["groups"] += len(gaad["GroupDetailList"])
    for policy in gaad["Policies"]:
        counts["awsManagedPolicies" if ":aws:policy/" in policy["Arn"] else "customerPolicies"] += 1
    for key, inline in (("UserDetailList", "UserPolicyList"), ("GroupDetailList", "GroupPolicyList"),
                        ("RoleDetailList", "RolePolicyList")):
        counts["inlinePolicies"] += sum(len(entity.get(inline) or ()) for entity in gaad[key])
    counts["trustStatements"] += sum(len(r["AssumeRolePolicyDocument"]["Statement"]) for r in gaad["RoleDetailList"])


def _write_gaad(path: Path, gaad: dict[str, Any]) -> Path:
    """The AWS CLI's layout, one entity per line: readable with grep, fast to write with the C encoder."""
    parts = ["{\n"]
    for position, key in enumerate(GAAD_KEYS):
        lines = ",\n".join("        " + json.dumps(item) for item in gaad[key])
        parts.append(f'    "{key}": [\n{lines}\n    ]' if lines else f'    "{key}": []')
        parts.append(",\n" if position < len(GAAD_KEYS) - 1 else "\n")
    parts.append("}\n")
    _atomic_write(path, "".join(parts))
    return path


def _atomic_write(path: Path, text: str) -> None:
    """Write beside the target, then rename: an interrupted run never leaves a truncated .json to load."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--principals", type=int, required=True, help="users + roles in the whole organization")
    parser.add_argument("--out", type=Path, required=True, help="folder for the GAAD files and organization.json")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--accounts", type=int, help="accounts in the organization (default: principals / 1000, "
                        "at least 3)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--resources", type=int, metavar="N",
                        help="resources with resource policies, in OUT/resources-<account>.json (default: "
                        f"{RESOURCES_PER_PRINCIPAL:g} per principal; 0 for none)")
    parser.add_argument("--security", action="store_true",
                        help="also a credential report and security snapshot per account (issue #16)")
    args = parser.parse_args(argv)
    resources = round(args.principals * RESOURCES_PER_PRINCIPAL) if args.resources is None else args.resources
    if resources < 0:
        parser.error("--resources must be 0 or more")
    try:
        result = generate(
            args.out, args.principals, accounts=args.accounts, seed=args.seed, resources=resources,
            security=args.security,
        )
    except ValueError as exc:
        parser.error(str(exc))
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    else:
        c = result.counts
        print(f"{args.out}: {len(result.plan.accounts)} accounts, {c['users']:,} users + {c['roles']:,} roles "
              f"= {c['users'] + c['roles']:,} principals, {c['groups']:,} groups, {c['customerPolicies']:,} customer "
              f"+ {c['inlinePolicies']:,} inline policies, {c['serviceControlPolicies']} SCPs, "
              f"{c.get('resources', 0):,} resources; "
              f"{result.bytes / 1e6:.1f} MB in {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
