"""Undecided conditions: leaves, negation flags, descriptions, and where each test came from."""

from __future__ import annotations

from service.evaluation import (
    All,
    AnyOf,
    Not,
    Request,
    Test,
    conj,
    disj,
    evaluate,
    neg,
    parse_policy,
    principal_from_arn,
)
from service.evaluation.formula import describe, leaves

EXTERNAL_ID = Test("sts:ExternalId", "StringEquals", ("vendor-7731",), "trust", 0, "Vendor", "resource")
MFA = Test("aws:MultiFactorAuthPresent", "Bool", ("false",), "guard", 2, None, "identity")
VPCE = Test("aws:SourceVpce", "StringEquals", ("vpce-1", "vpce-2"))


def test_describe() -> None:
    assert EXTERNAL_ID.describe() == 'sts:ExternalId StringEquals "vendor-7731"'
    assert neg(MFA).describe() == 'NOT aws:MultiFactorAuthPresent Bool "false"'  # type: ignore[union-attr]
    assert VPCE.describe() == 'aws:SourceVpce StringEquals ["vpce-1", "vpce-2"]'
    assert describe(conj([EXTERNAL_ID, disj([MFA, VPCE])])) == (
        'sts:ExternalId StringEquals "vendor-7731" AND '
        '(aws:MultiFactorAuthPresent Bool "false" OR aws:SourceVpce StringEquals ["vpce-1", "vpce-2"])'
    )
    assert describe(neg(conj([EXTERNAL_ID, MFA]))) == (
        'NOT (sts:ExternalId StringEquals "vendor-7731" AND aws:MultiFactorAuthPresent Bool "false")'
    )
    assert describe(True) == "always" and describe(False) == "never"


def test_tests_that_read_alike_are_told_once() -> None:
    """Two statements of one policy granting under the same condition: the formula keeps both tests (each
    names its statement), its description tells the condition once, as a member of a decision class reads it
    (its statements of the same content are told as one)."""
    again = Test(MFA.key, MFA.operator, MFA.values, MFA.policy, 5, None, "identity")
    both = disj([MFA, again])
    assert isinstance(both, AnyOf) and len(leaves(both)) == 2
    assert describe(both) == MFA.describe()
    assert describe(conj([EXTERNAL_ID, neg(both), neg(MFA)])) == (
        'sts:ExternalId StringEquals "vendor-7731" AND NOT (aws:MultiFactorAuthPresent Bool "false") AND '
        'NOT aws:MultiFactorAuthPresent Bool "false"'  # (a NOT of a formula keeps its parentheses)
    )
    assert describe(disj([conj([EXTERNAL_ID, MFA]), conj([EXTERNAL_ID, again])])) == (
        'sts:ExternalId StringEquals "vendor-7731" AND aws:MultiFactorAuthPresent Bool "false"'
    )


def test_leaves_carry_negation_and_origin() -> None:
    formula = conj([EXTERNAL_ID, neg(MFA), neg(neg(VPCE))])
    flat = leaves(formula)
    assert [(leaf.key, leaf.negated) for leaf in flat] == [
        ("sts:ExternalId", False),
        ("aws:MultiFactorAuthPresent", True),
        ("aws:SourceVpce", False),
    ]
    assert flat[0].as_dict() == {
        "key": "sts:ExternalId",
        "operator": "StringEquals",
        "values": ["vendor-7731"],
        "negated": False,
        "policy": "trust",
        "statement": 0,
        "sid": "Vendor",
        "policyType": "resource",
    }


def test_simplification_rules() -> None:
    assert conj([]) is True and disj([]) is False
    assert conj([True, EXTERNAL_ID]) == EXTERNAL_ID
    assert conj([EXTERNAL_ID, EXTERNAL_ID]) == EXTERNAL_ID
    assert conj([EXTERNAL_ID, neg(EXTERNAL_ID)]) is False
    assert disj([EXTERNAL_ID, neg(EXTERNAL_ID)]) is True
    assert conj([conj([EXTERNAL_ID, MFA]), VPCE]) == All((EXTERNAL_ID, MFA, VPCE))
    assert disj([EXTERNAL_ID, conj([EXTERNAL_ID, MFA])]) == EXTERNAL_ID
    assert disj([MFA, disj([EXTERNAL_ID, VPCE])]) == AnyOf((MFA, EXTERNAL_ID, VPCE))
    assert neg(Not(MFA)) == MFA


def test_decision_leaves_name_policy_and_statement() -> None:
    alice = principal_from_arn("arn:aws:iam::111111111111:user/alice")
    guard = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {
                    "Sid": "RequireMfa",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
            ],
        },
        name="guard",
    )
    decision = evaluate(Request(alice, "iam:ListUsers", "*"), identity_policies=[guard])
    assert decision.decision == "Allowed" and not decision.allowed and decision.possibly_allowed
    (leaf,) = decision.leaves()
    assert (leaf.key, leaf.operator, leaf.negated, leaf.policy, leaf.statement, leaf.test.sid) == (
        "aws:MultiFactorAuthPresent",
        "BoolIfExists",
        True,
        "guard",
        1,
        "RequireMfa",
    )
    assert decision.describe() == 'NOT aws:MultiFactorAuthPresent BoolIfExists "false"'
