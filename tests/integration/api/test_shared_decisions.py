"""whoCan decides once per decision class of principals whose decisions must be equal
(service/reachability/classes.py). Against the real graph, on a randomized account (bench/synthetic_account.py: shared
and duplicated statements, Deny, MFA conditions, boundaries, groups, unknown AWS managed policies), every
answer must be exactly what deciding each principal on its own gives: same principals, same conditions,
same paths."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic_account import ACCOUNT_ID, Size, synthetic_gaad
from service.database import Neo4jSettings
from service.database.reader import GraphReader
from service.evaluation.request import arn_account
from service.reachability.decide import access_from
from service.reachability.index import PrincipalIndex
from service.reachability.paths import assume_paths, identity_paths
from service.reachability.questions import Reachability
from tests.integration.api.conftest import Load
from tests.support.gaad import allow, document, organization

QUESTIONS = [
    ("s3:DeleteObject", "arn:aws:s3:::any-bucket/key"),
    ("s3:PutObject", "arn:aws:s3:::any-bucket/home/user-00160/notes.txt"),
    ("s3:GetObject", f"arn:aws:s3:us-east-1:{ACCOUNT_ID}:app-7/report.csv"),
    ("ec2:RunInstances", "*"),
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT_ID}:role/deploy"),
    ("dynamodb:PutItem", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT_ID}:app-12/orders"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/abc"),
    # No account in the resource: every account's principals, grouped across accounts.
    ("kms:Decrypt", "*"),
    ("dynamodb:PutItem", "*"),
]
# Copies of the account: one under the same SCPs, one under others (a Deny on kms:Decrypt of its own).
SISTER, OTHER = "888000000002", "777000000003"
ACCOUNTS = (ACCOUNT_ID, SISTER, OTHER)
ROOT = f"arn:aws:iam::{ACCOUNT_ID}:root"
# Roles whose trust policies admit the account's principals through the account, with more besides.
_ADMIT = {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}
TRUSTS: dict[str, list[dict[str, Any]]] = {
    "via-account": [_ADMIT],
    "via-account-with-mfa": [{**_ADMIT, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}],
    "via-account-and-named": [{**_ADMIT, "Principal": {"AWS": [ROOT, f"arn:aws:iam::{ACCOUNT_ID}:user/user-00003"]}}],
    "via-account-some-arns": [
        {**_ADMIT, "Condition": {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_ID}:role/role-000*"}}}
    ],
    "anyone-in-the-organization": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-testorg001"}},
        }
    ],
    # The same document again, under another name: a decision kept from one is told for the other.
    "anyone-in-the-organization-too": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-testorg001"}},
        }
    ],
    # And with a condition the trust policy keeps (its tests name it): under two names.
    **{
        name: [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:PrincipalOrgID": "o-testorg001"},
                    "Bool": {"aws:MultiFactorAuthPresent": "true"},
                },
            }
        ]
        for name in ("anyone-in-the-organization-with-mfa", "anyone-in-the-organization-with-mfa-too")
    },
    "via-account-but-one": [
        _ADMIT,
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:role/role-00007"}, "Action": "sts:*"},
    ],
}


def _answer_view(principal: str, condition: Any, paths: Any) -> tuple[Any, ...]:
    """What must be equal: principal, conditional or not, the condition tests (as a set: the same test in
    two statements of equal content is one test), the paths."""
    # (A trust policy's tests name it: each role's its own.)
    tests = {
        (
            leaf.key,
            leaf.operator,
            leaf.values,
            leaf.negated,
            leaf.test.policy if leaf.test.policy_type == "resource" else "",
        )
        for leaf in _leaves(condition)
    }
    steps = sorted(tuple((s.source.arn, s.target.arn, s.kind, s.via, s.statement) for s in path) for path in paths)
    return principal, condition is None, frozenset(tests), tuple(steps)


def _named_tests(condition: Any) -> set[tuple[Any, ...]]:
    """The condition tests with the policy and statement each names."""
    return {
        (leaf.key, leaf.values, leaf.test.policy, leaf.test.statement, leaf.test.sid) for leaf in _leaves(condition)
    }


def _leaves(condition: Any) -> Any:
    from service.evaluation.formula import leaves

    return leaves(condition)


async def _compare(settings: Neo4jSettings) -> int:
    reader = GraphReader(settings, timeout=120)
    index = PrincipalIndex()
    compared = 0
    try:
        alone = Reachability(reader, PrincipalIndex())
        entries = await alone.view.entries(ACCOUNTS)
        profiles = [profile for account in ACCOUNTS for profile in entries[account].profiles.values()]
        for action, resource in QUESTIONS:
            grouped = await Reachability(reader, index).who_can(action, resource)
            got = {a.principal.arn: _answer_view(a.principal.arn, a.condition, a.paths) for a in grouped}
            named = {a.principal.arn: _named_tests(a.condition) for a in grouped}
            expected = {}
            # Without a resource policy only the resource's own account can be allowed (whoCan weighs no
            # other; one by one, another account's principal with an unloaded policy would read "may be").
            home = arn_account(resource)
            for profile in profiles:
                if home and profile.account_id != home:
                    continue
                _, decision, _ = await alone.access(profile.arn, action, resource)
                answer = access_from(profile, decision)
                if answer is not None:
                    expected[profile.arn] = _answer_view(
                        profile.arn, answer.condition, identity_paths(profile, decision)
                    )
                    # Each test names one of this principal's own statements that has it.
                    assert named[profile.arn] <= _named_tests(answer.condition), (action, resource, profile.arn)
            assert got == expected, (action, resource)
            compared += len(expected)
        # Every account's copies of the roles that trust the organization, one after another on one index:
        # decisions kept from one role's question serve the next ones' only where they must be equal.
        roles = [f"arn:aws:iam::{ACCOUNT_ID}:role/{name}" for name in TRUSTS]
        roles += [
            f"arn:aws:iam::{account}:role/{name}" for account in ACCOUNTS[1:] for name in TRUSTS if "anyone" in name
        ]
        for role_arn in roles:
            name, home = role_arn.rsplit("/", 1)[1], arn_account(role_arn)
            grouped = await Reachability(reader, index).who_can_assume(role_arn)
            loaded = {profile.arn for profile in profiles}  # not the stand-ins for unloaded accounts or "*"
            got = {
                a.principal.arn: _answer_view(a.principal.arn, a.condition, a.paths)
                for a in grouped
                if a.principal.arn in loaded
            }
            role = await alone.view.role(role_arn)
            assert role is not None
            expected = {}
            for profile in profiles:  # the trust policies admit the role's own account (or everyone: "*")
                if profile.arn == role_arn or (profile.account_id != home and not name.startswith("anyone")):
                    continue
                _, decision, _ = await alone.access(profile.arn, "sts:AssumeRole", role_arn)
                if (answer := access_from(profile, decision)) is not None:
                    identity = identity_paths(profile, decision)
                    paths = assume_paths(profile.ref, identity, role.ref, role.trust_document, decision)
                    expected[profile.arn] = _answer_view(profile.arn, answer.condition, paths)
            assert got == expected, role_arn
            # A page is the whole answer's slice, made apart from it.
            again = await Reachability(reader, PrincipalIndex()).who_can_assume(role_arn)
            assert [a.principal.arn for a in again[5:25]] == [a.principal.arn for a in list(grouped)[5:25]]
            compared += len(expected)
    finally:
        await reader.close()
    return compared


@pytest.mark.neo4j
def test_grouped_decisions_equal_one_by_one_decisions(
    load: Load, neo4j_settings: Neo4jSettings, tmp_path: Path
) -> None:
    size = Size(roles=400, users=250, groups=60, policies=150, aws_policies=40, missing_aws_policies=5)
    gaad = synthetic_gaad(size, seed=11)
    for name, statements in TRUSTS.items():
        gaad["RoleDetailList"].append(
            {
                **gaad["RoleDetailList"][0],
                "RoleName": name,
                "Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}",
                "RoleId": f"AROA{name.upper().replace('-', '')[:17]:X<17}",
                "Path": "/",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": statements},
            }
        )
    users = gaad["UserDetailList"]
    # Some principals may assume any role: statements about sts:AssumeRole on `*` and on these roles.
    _inline(gaad["RoleDetailList"][:120], "assume", allow("sts:AssumeRole"))
    # Conditions on who the principal is: a tag (some users carry it), and an SCP on aws:PrincipalArn.
    for i, user in enumerate(users[:150]):
        user["Tags"] = [{"Key": "team", "Value": "red" if i % 3 else "blue"}]
    red = {"StringEquals": {"aws:PrincipalTag/team": "red"}}
    _inline(users[:150], "red-team", allow(["s3:*", "kms:Decrypt"], Condition=red))
    # A Resource with a policy variable: each user's own folder.
    _inline(users[140:220], "own-folder", allow("s3:PutObject", "arn:aws:s3:::any-bucket/home/${aws:username}/*"))
    # Statements about sts:AssumeRole that fit some roles only: by name, and by the role's account.
    _inline(
        gaad["RoleDetailList"][120:160],
        "assume-org",
        allow("sts:AssumeRole", "arn:aws:iam::*:role/anyone-in-the-organization"),
    )
    home_roles = {"StringEquals": {"aws:ResourceAccount": "HOME"}}
    _inline(users[200:240], "assume-home", allow("sts:AssumeRole", Condition=home_roles))
    # A boundary with a condition of its own, in every account (under each one's ARN).
    boundary = f"arn:aws:iam::{ACCOUNT_ID}:policy/mfa-boundary"
    template = next(p for p in gaad["Policies"] if f":{ACCOUNT_ID}:policy/" in p["Arn"])
    mfa = allow(["s3:*", "kms:*"], Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    # Its statement about other actions names its account: the copies differ there, and decide alike.
    own_users = {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": f"arn:aws:iam::{ACCOUNT_ID}:user/*"}
    version = {**template["PolicyVersionList"][0], "Document": document(mfa, own_users)}
    gaad["Policies"].append(
        {
            **template,
            "PolicyName": "mfa-boundary",
            "Arn": boundary,
            "PolicyId": "ANPAMFABOUNDARY000001",
            "PolicyVersionList": [version],
        }
    )
    for user in users[:60]:
        user["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    # An account-level condition: only the first account's copies satisfy it.
    home = {"StringEquals": {"aws:PrincipalAccount": "HOME"}}
    _inline(users[100:200], "home-account", allow("dynamodb:*", Condition=home))
    full = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    no_kms = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}]}
    guard = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": ["s3:DeleteObject", "iam:PassRole"],
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT_ID}:role/role-0001*"}},
            }
        ],
    }
    snapshot = organization(
        tmp_path,
        accounts={ACCOUNT_ID: "ou-team", SISTER: "ou-team", OTHER: "r-root"},
        levels={"r-root": [full, guard], "ou-team": [full], ACCOUNT_ID: [full], SISTER: [full], OTHER: [full, no_kms]},
    )
    # The two sister accounts carry the very same SCP (as FullAWSAccess is the same policy everywhere).
    org = json.loads(snapshot.read_text())
    shared = next(p for p in org["Policies"] if p["Targets"] == [{"TargetId": ACCOUNT_ID}])
    shared["Targets"].append({"TargetId": SISTER})
    org["Policies"] = [p for p in org["Policies"] if p["Targets"] != [{"TargetId": SISTER}]]
    snapshot.write_text(json.dumps(org), encoding="utf-8")
    text = json.dumps(gaad)
    for account in ACCOUNTS:
        copy = text.replace(ACCOUNT_ID, account).replace('"HOME"', f'"{ACCOUNT_ID}"')  # in every copy
        (tmp_path / f"gaad-{account}.json").write_text(copy, encoding="utf-8")
    load(*(tmp_path / f"gaad-{account}.json" for account in ACCOUNTS), snapshot)
    assert asyncio.run(_compare(neo4j_settings)) > 1000  # the questions are not all trivially empty


def _inline(entities: list[dict[str, Any]], name: str, statement: dict[str, Any]) -> None:
    """Give each user or role an inline policy `name` with the one statement."""
    for entity in entities:
        key = "UserPolicyList" if "UserName" in entity else "RolePolicyList"
        entity.setdefault(key, []).append({"PolicyName": name, "PolicyDocument": document(statement)})
