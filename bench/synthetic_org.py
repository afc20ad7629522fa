"""The shape of a synthetic AWS organization, and its Organizations snapshot (`examples/organization.json`).

An `OrgPlan` fixes everything that crosses account boundaries before any account is generated: account
ids and kinds, how many users and roles each holds, the OU tree, the vendor accounts outside the
organization. Accounts are then generated one at a time from the plan (bench/synthetic_iam.py), each
from its own random stream, so any account can be produced without the others and memory stays flat.

    root ─┬─ management account
          ├─ Security ────── SecurityProd ─── security (audit) account
          ├─ Infrastructure ┬ InfraProd ───── shared-services account (CI)
          │                 └ InfraNonProd
          ├─ Workloads ───── Prod / Staging / Dev
          └─ Sandbox
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass
from typing import Any, Literal

AccountKind = Literal["management", "security", "shared", "workload", "sandbox"]

PRINCIPALS_PER_ACCOUNT = 1000
MIN_ACCOUNTS = 3
MIN_ROLES = 14  # the roles every account has (bench/synthetic_iam.py FIXED roles), with room
MIN_USERS = 4
MIN_PER_ACCOUNT = 40
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
VENDORS = ("datadog", "snyk", "wiz", "pagerduty", "splunk", "crowdstrike", "lacework", "orca")
_LOWER = string.ascii_lowercase + string.digits

# (L1 name, [L2 names]); workload accounts are spread over the L2 units below (and Sandbox) by weight.
_TREE = (("Security", ("SecurityProd",)), ("Infrastructure", ("InfraProd", "InfraNonProd")),
         ("Workloads", ("Prod", "Staging", "Dev")), ("Sandbox", ()))
_WORKLOAD_HOMES = (("Prod", 35), ("Staging", 20), ("Dev", 25), ("InfraNonProd", 5), ("Sandbox", 15))


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    parent_id: str


@dataclass(frozen=True)
class AccountPlan:
    index: int
    id: str
    name: str
    kind: AccountKind
    parent_id: str
    users: int
    roles: int

    @property
    def principals(self) -> int:
        return self.users + self.roles


@dataclass(frozen=True)
class OrgPlan:
    seed: int
    org_id: str
    root_id: str
    units: tuple[Unit, ...]
    accounts: tuple[AccountPlan, ...]
    vendors: tuple[tuple[str, str], ...]  # (name, account id outside the organization)

    @property
    def management(self) -> AccountPlan:
        return self.accounts[0]

    @property
    def security(self) -> AccountPlan:
        return self.accounts[min(1, len(self.accounts) - 1)]

    @property
    def shared(self) -> AccountPlan:
        return self.accounts[min(2, len(self.accounts) - 1)]

    @property
    def principals(self) -> int:
        return sum(account.principals for account in self.accounts)

    def unit(self, name: str) -> Unit:
        return next(unit for unit in self.units if unit.name == name)


def default_accounts(principals: int) -> int:
    return max(MIN_ACCOUNTS, round(principals / PRINCIPALS_PER_ACCOUNT))


def plan(principals: int, accounts: int | None = None, seed: int = 1) -> OrgPlan:
    """The organization for `principals` users + roles over `accounts` accounts (sizes vary, sum exact).

    Raises:
        ValueError: fewer than MIN_PER_ACCOUNT principals per account.
    """
    count = default_accounts(principals) if accounts is None else accounts
    if count < 1 or principals < count * MIN_PER_ACCOUNT:
        raise ValueError(f"{principals} principals cannot fill {count} accounts (at least {MIN_PER_ACCOUNT} each)")
    rng = random.Random(f"accessgraph-org:{seed}")
    org_id = "o-" + "".join(rng.choices(_LOWER, k=10))
    root_id = "r-" + "".join(rng.choices(_LOWER, k=4))
    units: list[Unit] = []
    for top, children in _TREE:
        top_unit = Unit(_unit_id(rng, root_id), top, root_id)
        units.append(top_unit)
        units.extend(Unit(_unit_id(rng, root_id), child, top_unit.id) for child in children)
    by_name = {unit.name: unit.id for unit in units}

    ids: list[str] = []
    taken: set[str] = set()
    while len(ids) < count + len(VENDORS):
        candidate = str(rng.randrange(10**11, 10**12))
        if candidate not in taken:
            taken.add(candidate)
            ids.append(candidate)
    sizes = _sizes(rng, principals, count)
    homes = [name for name, weight in _WORKLOAD_HOMES for _ in range(weight)]
    planned: list[AccountPlan] = []
    for index, (account_id, size) in enumerate(zip(ids, sizes, strict=False)):
        kind: AccountKind
        if index == 0:
            kind, parent, name = "management", root_id, "Management"
        elif index == 1:
            kind, parent, name = "security", by_name["SecurityProd"], "Security Audit"
        elif index == 2:
            kind, parent, name = "shared", by_name["InfraProd"], "Shared Services"
        else:
            home = "Prod" if index == 3 else rng.choice(homes)  # every organization with workloads has production
            kind = "sandbox" if home == "Sandbox" else "workload"
            parent, name = by_name[home], f"{home} {index:03d}"
        share = 0.35 if kind in ("management", "security", "shared") else rng.uniform(0.3, 0.5)
        users = min(max(MIN_USERS, round(size * share)), size - MIN_ROLES)
        planned.append(AccountPlan(index, account_id, name, kind, parent, users, size - users))
    vendors = tuple(zip(VENDORS, ids[count:], strict=True))
    return OrgPlan(seed, org_id, root_id, tuple(units), tuple(planned), vendors)


def _unit_id(rng: random.Random, root_id: str) -> str:
    return f"ou-{root_id[2:]}-" + "".join(rng.choices(_LOWER, k=8))


def _sizes(rng: random.Random, total: int, count: int) -> list[int]:
    """Uneven account sizes (a few big accounts, many small), each at least MIN_PER_ACCOUNT, summing to total."""
    weights = [rng.lognormvariate(0.0, 0.6) for _ in range(count)]
    spare = total - count * MIN_PER_ACCOUNT
    shares = [spare * weight / sum(weights) for weight in weights]
    sizes = [MIN_PER_ACCOUNT + int(share) for share in shares]
    by_fraction = sorted(range(count), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in by_fraction[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


# -- the Organizations snapshot ------------------------------------------------------------------------

def organization_snapshot(org: OrgPlan) -> dict[str, Any]:
    """The snapshot `accessgraph collect --organization` would write for the planned organization."""
    management = org.management.id
    base = f"arn:aws:organizations::{management}"
    rng = random.Random(f"accessgraph-org-snapshot:{org.seed}")
    targets: dict[str, dict[str, str]] = {
        org.root_id: {"TargetId": org.root_id, "Arn": f"{base}:root/{org.org_id}/{org.root_id}", "Name": "Root",
                      "Type": "ROOT"},
    }
    for unit in org.units:
        targets[unit.id] = {"TargetId": unit.id, "Arn": f"{base}:ou/{org.org_id}/{unit.id}", "Name": unit.name,
                            "Type": "ORGANIZATIONAL_UNIT"}
    for account in org.accounts:
        targets[account.id] = {"TargetId": account.id, "Arn": f"{base}:account/{org.org_id}/{account.id}",
                               "Name": account.name, "Type": "ACCOUNT"}
    prod_accounts = [a.id for a in org.accounts if a.parent_id == org.unit("Prod").id]
    policies = [_full_aws_access(list(targets.values()))]
    for name, description, document, attached in _scps(org, prod_accounts):
        policy_id = "p-" + "".join(rng.choices(_LOWER, k=8))
        policies.append({
            "PolicySummary": {
                "Id": policy_id, "Arn": f"{base}:policy/{org.org_id}/service_control_policy/{policy_id}",
                "Name": name, "Description": description, "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": False,
            },
            "Content": json.dumps(document, indent=4),
            "Targets": [targets[target] for target in attached],
        })
    return {
        "Organization": {
            "Id": org.org_id, "Arn": f"{base}:organization/{org.org_id}", "FeatureSet": "ALL",
            "MasterAccountArn": f"{base}:account/{org.org_id}/{management}", "MasterAccountId": management,
            "MasterAccountEmail": "aws-management@example.com",
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        },
        "Roots": [{"Id": org.root_id, "Arn": targets[org.root_id]["Arn"], "Name": "Root",
                   "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}],
        "OrganizationalUnits": [{"Id": u.id, "Arn": targets[u.id]["Arn"], "Name": u.name, "ParentId": u.parent_id}
                                for u in org.units],
        "Accounts": [
            {"Id": a.id, "Arn": targets[a.id]["Arn"], "Email": f"aws+{a.name.lower().replace(' ', '-')}@example.com",
             "Name": a.name, "Status": "ACTIVE", "JoinedMethod": "INVITED" if a.index == 0 else "CREATED",
             "JoinedTimestamp": f"20{18 + a.index % 7}-{1 + a.index % 12:02d}-{1 + a.index % 28:02d}T10:00:00+00:00",
             "ParentId": a.parent_id}
            for a in org.accounts
        ],
        "Policies": policies,
    }


def _full_aws_access(targets: list[dict[str, str]]) -> dict[str, Any]:
    """AWS attaches FullAWSAccess to the root, every OU and every account unless someone detaches it."""
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    return {
        "PolicySummary": {
            "Id": "p-FullAWSAccess", "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
            "Name": "FullAWSAccess", "Description": "Allows access to every operation",
            "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": True,
        },
        "Content": json.dumps(document, indent=4),
        "Targets": targets,
    }


def _scps(org: OrgPlan, prod_accounts: list[str]) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    def doc(*statements: dict[str, Any]) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": list(statements)}

    workloads, sandbox = org.unit("Workloads").id, org.unit("Sandbox").id
    return [
        ("DenyLeaveOrganization", "Member accounts cannot leave the organization",
         doc({"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
         [org.root_id]),
        ("DenyRootUser", "No actions as an account's root user",
         doc({"Sid": "DenyRoot", "Effect": "Deny", "Action": "*", "Resource": "*",
              "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}),
         [org.root_id]),
        ("ProtectSecurityServices", "CloudTrail, GuardDuty and Config stay on",
         doc({"Sid": "ProtectAuditTrail", "Effect": "Deny",
              "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                         "guardduty:DeleteDetector", "guardduty:DisassociateFromMasterAccount",
                         "config:DeleteConfigurationRecorder", "config:StopConfigurationRecorder"],
              "Resource": "*",
              "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}),
         [org.root_id, org.unit("Security").id]),
        ("RegionGuardrail", "Regional services only in approved regions",
         doc({"Sid": "DenyOtherRegions", "Effect": "Deny",
              "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*",
                            "budgets:*", "waf:*", "globalaccelerator:*", "health:*"],
              "Resource": "*",
              "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(REGIONS)},
                            "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}),
         [workloads, sandbox]),
        ("ProdDataProtection", "Production data stores cannot be deleted outside break-glass",
         doc({"Sid": "DenyDataDeletion", "Effect": "Deny",
              "Action": ["s3:DeleteBucket", "rds:DeleteDBInstance", "rds:DeleteDBCluster", "dynamodb:DeleteTable",
                         "backup:DeleteRecoveryPoint", "kms:ScheduleKeyDeletion"],
              "Resource": "*",
              "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass"}}}),
         [org.unit("Prod").id]),
        ("SandboxLimits", "Small instances only; no long-lived users",
         doc({"Sid": "SmallInstances", "Effect": "Deny", "Action": "ec2:RunInstances",
              "Resource": "arn:aws:ec2:*:*:instance/*",
              "Condition": {"StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}},
             {"Sid": "NoIamUsers", "Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"],
              "Resource": "*"}),
         [sandbox]),
        ("DenyIamUserCredentials", "Production accounts use roles, not user credentials",
         doc({"Sid": "NoUserCredentials", "Effect": "Deny",
              "Action": ["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
              "Resource": "arn:aws:iam::*:user/*"}),
         prod_accounts[::3]),
    ]
