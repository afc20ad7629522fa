"""The questions bench_scale.py asks: GraphQL texts, and requests drawn from a generated organization.

Every whoCan request names a different resource (a fresh object key, table, function, key id...), so no
cache keyed on the question can answer it; whoCanAssume draws random roles of every kind.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.synthetic_org import REGIONS

_ACCESS = "totalCount hasMore items { principal { arn kind } conditionText paths { steps { kind via } } }"
PAGE_SIZE = 100
WHO_CAN_ASSUME = f"""query($role: String!) {{
  whoCanAssumePage(roleArn: $role, first: {PAGE_SIZE}) {{ {_ACCESS} }}
}}"""
WHO_CAN = f"""query($action: String!, $resource: String!, $resourceAccount: String) {{
  whoCanPage(action: $action, resource: $resource, resourceAccount: $resourceAccount, first: {PAGE_SIZE}) {{
    {_ACCESS}
  }}
}}"""
_FINDING = "role { arn } trusted { arn kind } conditionText categories"
TRUSTS_OF_ACCOUNT = f"""query($account: String) {{
  crossAccountTrustsPage(accountId: $account, first: {PAGE_SIZE}) {{ totalCount items {{ {_FINDING} }} }}
}}"""
# The whole organization as `accessgraph trust-review` reads it: every page of 10,000 findings.
TRUSTS_OF_ORGANIZATION = f"""query($after: String) {{
  crossAccountTrustsPage(first: 10000, after: $after) {{ totalCount endCursor items {{ {_FINDING} }} }}
}}"""


@dataclass
class Account:
    id: str
    file: Path
    roles: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Request:
    kind: str  # whoCanAssume, whoCan, crossAccountTrusts
    query: str
    variables: dict[str, Any]

    def size(self, data: dict[str, Any]) -> int:
        """How many principals (or trust findings) the answer holds in total."""
        key = {"whoCanAssume": "whoCanAssumePage", "whoCan": "whoCanPage"}.get(self.kind, "crossAccountTrustsPage")
        return int(data[key]["totalCount"])


def catalog(folder: Path) -> list[Account]:
    """Every account of a generated organization, with its role ARNs and teams, read back from its GAAD file."""
    accounts = []
    for path in sorted(folder.glob("gaad-*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        roles = document["RoleDetailList"]
        teams = sorted({tag["Value"] for role in roles for tag in role["Tags"] if tag["Key"] == "team"})
        accounts.append(Account(path.name[5:-5], path, [role["Arn"] for role in roles], teams))
    if not accounts:
        raise FileNotFoundError(f"{folder} has no gaad-*.json files: generate them first")
    return accounts


def who_can_assume(rng: random.Random, accounts: list[Account]) -> Request:
    return Request("whoCanAssume", WHO_CAN_ASSUME, {"role": rng.choice(rng.choice(accounts).roles)})


def trusts_of_account(rng: random.Random, accounts: list[Account]) -> Request:
    return Request("crossAccountTrusts", TRUSTS_OF_ACCOUNT, {"account": rng.choice(accounts).id})


def who_can(rng: random.Random, accounts: list[Account]) -> Request:
    account = rng.choice(accounts)
    acct, team, n = account.id, rng.choice(account.teams or ["app"]), rng.randrange(10**9)
    region = rng.choice(REGIONS)
    action, resource = rng.choice((
        ("s3:GetObject", f"arn:aws:s3:::{acct}-{team}-data/objects/{n}.json"),
        ("s3:PutObject", f"arn:aws:s3:::{acct}-{team}-{rng.choice(('logs', 'assets', 'exports'))}/{n}"),
        ("dynamodb:PutItem", f"arn:aws:dynamodb:{region}:{acct}:table/{team}-t{n}"),
        ("lambda:InvokeFunction", f"arn:aws:lambda:{region}:{acct}:function:{team}-f{n}"),
        ("kms:Decrypt", f"arn:aws:kms:{region}:{acct}:key/{n:08x}-0000-4000-8000-{n:012x}"),
        ("ec2:TerminateInstances", f"arn:aws:ec2:{region}:{acct}:instance/i-{n:017x}"),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{region}:{acct}:secret:{team}/db-{n}"),
        ("iam:PassRole", f"arn:aws:iam::{acct}:role/{team}-fn-{n}"),
        ("sqs:SendMessage", f"arn:aws:sqs:{region}:{acct}:{team}-q{n}"),
    ))
    # An S3 ARN names no account: say whose bucket it is, or the API takes it as each caller's own.
    owner = acct if action.startswith("s3:") else None
    return Request("whoCan", WHO_CAN, {"action": action, "resource": resource, "resourceAccount": owner})


Draw = Callable[[random.Random, list[Account]], Request]
QUESTIONS: dict[str, Draw] = {
    "whoCanAssume": who_can_assume,
    "whoCan": who_can,
    "crossAccountTrusts": trusts_of_account,
}
# The concurrent mix: mostly role questions (the explorer's and CI's), some trust reviews, some whoCan.
MIX: tuple[tuple[Draw, int], ...] = ((who_can_assume, 70), (trusts_of_account, 20), (who_can, 10))


def mixed(rng: random.Random, accounts: list[Account]) -> Request:
    draws = [draw for draw, _ in MIX]
    weights = [weight for _, weight in MIX]
    return rng.choices(draws, weights)[0](rng, accounts)
