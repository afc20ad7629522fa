"""The condition-key scope table (service/evaluation/scopes.py) and everyone who reads it: the request
context, the class keys (clauses.py) and the trust review."""

from __future__ import annotations

import pytest

from service.evaluation.context import RequestContext
from service.evaluation.policy import ConditionClause
from service.evaluation.request import Principal, Request
from service.evaluation.scopes import Scope, identifies_principal, scope_of
from service.evaluation.variables import UNKNOWN
from service.reachability.clauses import principal_key, resource_independent_clauses
from service.reachability.trusts import restricts_organization


@pytest.mark.parametrize(
    ("key", "scope"),
    [
        ("aws:principalarn", Scope.PRINCIPAL),
        ("aws:principaltag/team", Scope.PRINCIPAL),
        ("aws:principaltype", Scope.PRINCIPAL),
        ("aws:principalaccount", Scope.ACCOUNT),
        ("aws:principalorgpaths", Scope.ORGANIZATION),
        ("aws:sourceip", Scope.REQUEST),
        ("aws:requesttag/env", Scope.REQUEST),
        ("sts:externalid", Scope.REQUEST),
        ("aws:resourceaccount", Scope.RESOURCE),
        ("aws:resourcetag/env", Scope.RESOURCE),
        ("s3:prefix", Scope.RESOURCE),  # a key the table does not name: the safe reading
    ],
)
def test_every_key_has_one_scope(key: str, scope: Scope) -> None:
    assert scope_of(key) is scope


def test_keys_of_the_principals_kind_do_not_tell_principals_apart() -> None:
    assert identifies_principal("aws:username") and identifies_principal("aws:principaltag/x")
    assert not identifies_principal("aws:principaltype") and not identifies_principal("aws:principalisawsservice")


def test_principal_clauses_are_those_on_the_principal_its_account_organization_or_the_resource_account() -> None:
    assert [principal_key(k) for k in ("aws:userid", "aws:principalorgid", "aws:resourceaccount")] == [True] * 3
    assert [principal_key(k) for k in ("aws:principaltype", "aws:sourceip", "aws:resourcetag/x")] == [False] * 3


def test_the_trust_review_reads_account_and_organization_keys_as_restrictions() -> None:
    assert restricts_organization("aws:principalorgid") and restricts_organization("aws:principalarn")
    assert not restricts_organization("aws:principaltag/team") and not restricts_organization("sts:externalid")


def test_a_stand_in_principal_tells_its_account_and_nothing_else_about_itself() -> None:
    stand_in = Principal("arn:aws:iam::111122223333:user/*", "111122223333", "user", attributes_known=False)
    context = RequestContext(Request(principal=stand_in, action="s3:GetObject", resource="arn:aws:s3:::b/k"))
    assert context.lookup("aws:principalaccount") == ("111122223333",)
    assert context.lookup("aws:principalisawsservice") == ("false",)
    assert context.lookup("aws:principalarn") is UNKNOWN and context.lookup("aws:principalorgid") is UNKNOWN


def test_resource_independence_follows_the_table() -> None:
    def clause(key: str) -> ConditionClause:
        return ConditionClause("StringEquals", "StringEquals", None, False, key, ("x",))

    assert resource_independent_clauses([clause("aws:PrincipalOrgID"), clause("aws:SourceIp")])
    assert not resource_independent_clauses([clause("aws:ResourceAccount")])


def test_a_principal_clause_result_is_kept_per_statement_principal_and_resource_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`principal_clauses_of` works a statement's principal clauses out once per principal (a break-glass
    SCP read for every action an escalation question decides), with its organization place: asked again, it
    gives the same results without evaluating them; another resource account (aws:ResourceAccount) or
    another principal object (a load) is worked out anew."""
    from service.evaluation import parse_policy
    from service.evaluation.statements import compiled
    from service.reachability import clauses
    from service.reachability.profiles import OrgContext, Profile

    policy = parse_policy(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition":'
        ' {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass"},'
        ' "StringEquals": {"aws:ResourceAccount": "111122223333"}}}]}',
        name="scp",
    )
    (statement,) = compiled(policy, "scp").statements
    org = OrgContext.outside("111122223333")

    def profile(name: str) -> Profile:
        arn = f"arn:aws:iam::111122223333:role/{name}"
        return Profile(arn, "role", name, "111122223333", f"AROA{name.upper()}", {}, False, (), None, org)

    evaluated: list[str] = []
    original = clauses.principal_clauses

    def counting(cs: object, context: RequestContext, results: list[object]) -> bool:
        evaluated.append(context.principal.arn)
        return original(cs, context, results)  # type: ignore[arg-type]

    monkeypatch.setattr(clauses, "principal_clauses", counting)

    def results(who: Profile, account: str | None) -> tuple[object, ...]:
        found: list[object] = []
        request = Request(principal=who.principal, action="s3:GetObject", resource="*", resource_account=account)
        clauses.principal_clauses_of(statement, who, RequestContext(request), found)  # type: ignore[arg-type]
        return tuple(found)

    glass, other = profile("break-glass"), profile("ops")
    exempt = results(glass, "111122223333")
    assert exempt != results(other, "111122223333")
    assert results(glass, "111122223333") == exempt
    assert len(evaluated) == 2
    assert results(glass, "444455556666") != exempt
    assert len(evaluated) == 3
    assert results(profile("break-glass"), "111122223333") == exempt
    assert len(evaluated) == 4
