"""Documented cases: condition operators, missing keys, set operators, and undecided conditions."""

from __future__ import annotations

from typing import Any

from .casekit import A, B, CAROL_B, DEV, OBJECT, Case, allow, ctx, deny, doc

STRING = "IAM UG > IAM JSON policy elements: Condition operators > String condition operators"
NUMERIC = "IAM UG > IAM JSON policy elements: Condition operators > Numeric condition operators"
DATE = "IAM UG > IAM JSON policy elements: Condition operators > Date condition operators"
BOOL = "IAM UG > IAM JSON policy elements: Condition operators > Boolean condition operators"
BINARY = "IAM UG > IAM JSON policy elements: Condition operators > Binary condition operators"
IP = "IAM UG > IAM JSON policy elements: Condition operators > IP address condition operators"
ARN = "IAM UG > IAM JSON policy elements: Condition operators > Amazon Resource Name (ARN) condition operators"
IFEXISTS = "IAM UG > IAM JSON policy elements: Condition operators > ...IfExists condition operators"
NULL = "IAM UG > IAM JSON policy elements: Condition operators > Condition operator to check existence of condition keys"
MISSING = "IAM UG > IAM JSON policy elements: Condition operators (key not present: false; negated operators: true)"
MULTI = "IAM UG > Conditions with multiple context keys or values > Evaluation logic"
NEGATED = "IAM UG > Conditions with multiple context keys or values > Evaluation logic for negated matching operators"
SETS = "IAM UG > Set operators for multivalued context keys"
KEYS = "IAM UG > IAM policy elements: Variables and tags (key names are case-insensitive)"
GLOBAL = "IAM UG > AWS global condition context keys > Properties of the principal"
UNDECIDED = "IAM-SEMANTICS > Conditions (unknown context: return the condition, never guess) / IAM UG > Condition"


def cond(
    name: str,
    doc_section: str,
    expect: str,
    condition: dict[str, dict[str, Any]],
    context: dict[str, tuple[str, ...]] | None = None,
    *,
    complete: bool = True,
    effect: str = "Allow",
    text: str | None = None,
) -> Case:
    statements = [allow(condition=condition)] if effect == "Allow" else [allow(), deny(condition=condition)]
    return Case(
        f"cond-{name}",
        doc_section,
        expect,
        identity=(doc(*statements),),
        context=context or {},
        complete=complete,
        condition=text,
    )


TAGS3 = ("env", "team", "cost")
CASES: list[Case] = [
    # --- strings ---------------------------------------------------------------------------------
    cond("string-equals", STRING, "Allowed", {"StringEquals": {"aws:RequestTag/env": "prod"}}, ctx(("aws:RequestTag/env", "prod"))),
    cond("string-equals-case-sensitive", STRING, "ImplicitlyDenied", {"StringEquals": {"aws:RequestTag/env": "Prod"}}, ctx(("aws:RequestTag/env", "prod"))),
    cond("string-equals-ignore-case", STRING, "Allowed", {"StringEqualsIgnoreCase": {"aws:RequestTag/env": "PROD"}}, ctx(("aws:RequestTag/env", "prod"))),
    cond("string-not-equals-ignore-case", STRING, "ImplicitlyDenied", {"StringNotEqualsIgnoreCase": {"aws:RequestTag/env": "PROD"}}, ctx(("aws:RequestTag/env", "prod"))),
    cond("string-not-equals-match", STRING, "ImplicitlyDenied", {"StringNotEquals": {"aws:RequestTag/env": "prod"}}, ctx(("aws:RequestTag/env", "prod"))),
    cond("string-not-equals-other", STRING, "Allowed", {"StringNotEquals": {"aws:RequestTag/env": "prod"}}, ctx(("aws:RequestTag/env", "dev"))),
    cond("string-not-equals-nor", NEGATED, "ImplicitlyDenied", {"StringNotEquals": {"aws:RequestTag/env": ["dev", "prod"]}}, ctx(("aws:RequestTag/env", "dev"))),
    cond("string-values-or", MULTI, "Allowed", {"StringEquals": {"aws:RequestTag/env": ["dev", "prod"]}}, ctx(("aws:RequestTag/env", "dev"))),
    cond("string-like-star", STRING, "Allowed", {"StringLike": {"aws:RequestTag/app": "*-prod"}}, ctx(("aws:RequestTag/app", "billing-prod"))),
    cond("string-like-question", STRING, "ImplicitlyDenied", {"StringLike": {"aws:RequestTag/app": "app-?"}}, ctx(("aws:RequestTag/app", "app-10"))),
    cond("string-like-case-sensitive", STRING, "ImplicitlyDenied", {"StringLike": {"aws:RequestTag/app": "*-PROD"}}, ctx(("aws:RequestTag/app", "billing-prod"))),
    cond("string-like-dot-literal", STRING, "ImplicitlyDenied", {"StringLike": {"aws:UserAgent": "aws-cli/2.*"}}, ctx(("aws:UserAgent", "aws-cli/2x1"))),
    cond("string-not-like", STRING, "Allowed", {"StringNotLike": {"aws:RequestTag/app": "*-prod"}}, ctx(("aws:RequestTag/app", "billing-dev"))),
    cond("key-name-case-insensitive", KEYS, "Allowed", {"IpAddress": {"AWS:SOURCEIP": "203.0.113.0/24"}}, ctx(("aws:SourceIp", "203.0.113.9"))),
    cond("keys-and", MULTI, "ImplicitlyDenied", {"StringEquals": {"aws:RequestTag/env": "prod", "aws:RequestTag/team": "red"}}, ctx(("aws:RequestTag/env", "prod"), ("aws:RequestTag/team", "blue"))),
    cond("operators-and", MULTI, "ImplicitlyDenied", {"StringEquals": {"aws:RequestTag/env": "prod"}, "Bool": {"aws:SecureTransport": "true"}}, ctx(("aws:RequestTag/env", "prod"), ("aws:SecureTransport", "false"))),
    cond("operators-and-all-hold", MULTI, "Allowed", {"StringEquals": {"aws:RequestTag/env": "prod"}, "Bool": {"aws:SecureTransport": "true"}}, ctx(("aws:RequestTag/env", "prod"), ("aws:SecureTransport", "true"))),
    # --- missing keys (context complete) ------------------------------------------------------------
    cond("missing-string-equals-false", MISSING, "ImplicitlyDenied", {"StringEquals": {"aws:SourceVpc": "vpc-1"}}),
    cond("missing-string-not-equals-true", MISSING, "Allowed", {"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}),
    cond("missing-arn-not-like-true", MISSING, "Allowed", {"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}),
    cond("missing-if-exists-true", IFEXISTS, "Allowed", {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}),
    cond("present-if-exists-compares", IFEXISTS, "ImplicitlyDenied", {"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}, ctx(("aws:SourceVpc", "vpc-2"))),
    cond("missing-bool-deny-does-not-apply", MISSING, "Allowed", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, effect="Deny"),
    cond("missing-bool-if-exists-deny-applies", IFEXISTS, "ExplicitlyDenied", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, effect="Deny"),
    cond("null-true-missing", NULL, "Allowed", {"Null": {"aws:TokenIssueTime": "true"}}),
    cond("null-true-present", NULL, "ImplicitlyDenied", {"Null": {"aws:TokenIssueTime": "true"}}, ctx(("aws:TokenIssueTime", "2024-01-01T00:00:00Z"))),
    cond("null-false-missing", NULL, "ImplicitlyDenied", {"Null": {"aws:TokenIssueTime": "false"}}),
    cond("null-false-present", NULL, "Allowed", {"Null": {"aws:TokenIssueTime": "false"}}, ctx(("aws:TokenIssueTime", "2024-01-01T00:00:00Z"))),
    cond("null-unknown", NULL, "Allowed", {"Null": {"aws:TokenIssueTime": "false"}}, complete=False, text='aws:TokenIssueTime Null "false"'),
    cond("null-derived-tag-decided", NULL, "ImplicitlyDenied", {"Null": {"aws:PrincipalTag/team": "true"}}, complete=False),
    # --- set operators -----------------------------------------------------------------------------
    cond("forall-subset", SETS, "Allowed", {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}}, ctx(("aws:TagKeys", ("env", "team")))),
    cond("forall-not-subset", SETS, "ImplicitlyDenied", {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}}, ctx(("aws:TagKeys", ("env", "owner")))),
    cond("forall-missing-true", SETS, "Allowed", {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}}),
    cond("forall-empty-true", SETS, "Allowed", {"ForAllValues:StringEquals": {"aws:TagKeys": list(TAGS3)}}, ctx(("aws:TagKeys", ()))),
    cond("foranyvalue-overlap", SETS, "Allowed", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, ctx(("aws:TagKeys", ("owner", "env")))),
    cond("foranyvalue-disjoint", SETS, "ImplicitlyDenied", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, ctx(("aws:TagKeys", ("owner", "team")))),
    cond("foranyvalue-missing-false", SETS, "ImplicitlyDenied", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}),
    cond("forall-not-equals", SETS, "ImplicitlyDenied", {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}}, ctx(("aws:TagKeys", ("env", "secret")))),
    cond("foranyvalue-like", SETS, "Allowed", {"ForAnyValue:StringLike": {"aws:TagKeys": ["cost-*"]}}, ctx(("aws:TagKeys", ("env", "cost-center")))),
    cond("foranyvalue-deny", SETS, "ExplicitlyDenied", {"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}, ctx(("aws:TagKeys", ("owner",))), effect="Deny"),
    cond("forall-if-exists-missing", SETS, "Allowed", {"ForAllValues:StringEqualsIfExists": {"aws:TagKeys": ["env"]}}),
    cond("multivalued-without-qualifier-any", SETS, "Allowed", {"StringEquals": {"aws:PrincipalOrgPaths": "o-a/r-b/ou-c/"}}, ctx(("aws:PrincipalOrgPaths", ("o-a/r-b/ou-x/", "o-a/r-b/ou-c/")))),
    # --- numbers -------------------------------------------------------------------------------------
    cond("numeric-less-than", NUMERIC, "Allowed", {"NumericLessThan": {"s3:max-keys": "10"}}, ctx(("s3:max-keys", "5"))),
    cond("numeric-less-than-fails", NUMERIC, "ImplicitlyDenied", {"NumericLessThan": {"s3:max-keys": "10"}}, ctx(("s3:max-keys", "15"))),
    cond("numeric-equals-decimal", NUMERIC, "Allowed", {"NumericEquals": {"s3:max-keys": "10.0"}}, ctx(("s3:max-keys", "10"))),
    cond("numeric-gte-boundary", NUMERIC, "Allowed", {"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, ctx(("s3:max-keys", "10"))),
    cond("numeric-gt-boundary", NUMERIC, "ImplicitlyDenied", {"NumericGreaterThan": {"s3:max-keys": "10"}}, ctx(("s3:max-keys", "10"))),
    cond("numeric-lte", NUMERIC, "Allowed", {"NumericLessThanEquals": {"s3:max-keys": 10}}, ctx(("s3:max-keys", "-3"))),
    cond("numeric-request-not-a-number", NUMERIC, "ImplicitlyDenied", {"NumericLessThan": {"s3:max-keys": "10"}}, ctx(("s3:max-keys", "ten"))),
    cond("numeric-not-equals-not-a-number", NUMERIC, "ImplicitlyDenied", {"NumericNotEquals": {"s3:max-keys": "10"}}, ctx(("s3:max-keys", "ten"))),
    cond("numeric-policy-not-a-number", NUMERIC, "ImplicitlyDenied", {"NumericEquals": {"s3:max-keys": "ten"}}, ctx(("s3:max-keys", "10"))),
    cond("numeric-not-equals", NUMERIC, "Allowed", {"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}, ctx(("s3:max-keys", "3"))),
    # --- dates ------------------------------------------------------------------------------------------
    cond("date-greater-than", DATE, "Allowed", {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}, ctx(("aws:CurrentTime", "2024-06-01T12:00:00Z"))),
    cond("date-less-than-fails", DATE, "ImplicitlyDenied", {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}, ctx(("aws:CurrentTime", "2024-06-01T12:00:00Z"))),
    cond("date-epoch-request", DATE, "Allowed", {"DateLessThan": {"aws:EpochTime": "2024-01-01T00:00:00Z"}}, ctx(("aws:EpochTime", "1700000000"))),
    cond("date-epoch-policy", DATE, "Allowed", {"DateGreaterThan": {"aws:CurrentTime": "1700000000"}}, ctx(("aws:CurrentTime", "2024-01-01T00:00:00Z"))),
    cond("date-offset", DATE, "Allowed", {"DateEquals": {"aws:CurrentTime": "2024-01-01T02:00:00+02:00"}}, ctx(("aws:CurrentTime", "2024-01-01T00:00:00Z"))),
    cond("date-only", DATE, "Allowed", {"DateEquals": {"aws:CurrentTime": "2024-01-01"}}, ctx(("aws:CurrentTime", "2024-01-01T00:00:00Z"))),
    cond("date-fractional-seconds", DATE, "Allowed", {"DateGreaterThanEquals": {"aws:TokenIssueTime": "2024-01-01T00:00:00.000Z"}}, ctx(("aws:TokenIssueTime", "2024-01-01T00:00:00.500Z"))),
    cond("date-bad-request-value", DATE, "ImplicitlyDenied", {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}, ctx(("aws:CurrentTime", "yesterday"))),
    cond("date-not-equals", DATE, "Allowed", {"DateNotEquals": {"aws:CurrentTime": "2024-01-01"}}, ctx(("aws:CurrentTime", "2024-01-02"))),
    # --- booleans, binary, IP -----------------------------------------------------------------------------
    cond("bool-true", BOOL, "Allowed", {"Bool": {"aws:SecureTransport": "true"}}, ctx(("aws:SecureTransport", "TRUE"))),
    cond("bool-json-boolean", BOOL, "Allowed", {"Bool": {"aws:SecureTransport": True}}, ctx(("aws:SecureTransport", "true"))),
    cond("bool-not-a-bool", BOOL, "ImplicitlyDenied", {"Bool": {"aws:SecureTransport": "true"}}, ctx(("aws:SecureTransport", "yes"))),
    cond("bool-deny-insecure", BOOL, "ExplicitlyDenied", {"Bool": {"aws:SecureTransport": "false"}}, ctx(("aws:SecureTransport", "false")), effect="Deny"),
    cond("binary-equals", BINARY, "Allowed", {"BinaryEquals": {"aws:RequestTag/blob": "QmluYXJ5VmFsdWU="}}, ctx(("aws:RequestTag/blob", "QmluYXJ5VmFsdWU="))),
    cond("binary-equals-raw-bytes", BINARY, "Allowed", {"BinaryEquals": {"aws:RequestTag/blob": "QmluYXJ5VmFsdWU="}}, ctx(("aws:RequestTag/blob", "BinaryValue"))),
    cond("binary-not-equal", BINARY, "ImplicitlyDenied", {"BinaryEquals": {"aws:RequestTag/blob": "QmluYXJ5VmFsdWU="}}, ctx(("aws:RequestTag/blob", "T3RoZXI="))),
    cond("ipv4-in", IP, "Allowed", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ctx(("aws:SourceIp", "203.0.113.77"))),
    cond("ipv4-out", IP, "ImplicitlyDenied", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ctx(("aws:SourceIp", "198.51.100.1"))),
    cond("ipv4-single-address", IP, "Allowed", {"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, ctx(("aws:SourceIp", "203.0.113.7"))),
    cond("ipv6-in", IP, "Allowed", {"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}, ctx(("aws:SourceIp", "2001:db8:1234:5678::abcd"))),
    cond("ipv6-out", IP, "ImplicitlyDenied", {"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}}, ctx(("aws:SourceIp", "2001:db8:1234:9999::1"))),
    cond("ipv6-vs-ipv4-cidr", IP, "ImplicitlyDenied", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, ctx(("aws:SourceIp", "2001:db8::1"))),
    cond("ip-values-or", IP, "Allowed", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}, ctx(("aws:SourceIp", "2001:db8::1"))),
    cond("not-ip-deny", IP, "ExplicitlyDenied", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ctx(("aws:SourceIp", "198.51.100.1")), effect="Deny"),
    cond("not-ip-inside", IP, "Allowed", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, ctx(("aws:SourceIp", "203.0.113.1")), effect="Deny"),
    cond("ip-bad-request-value", IP, "ImplicitlyDenied", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, ctx(("aws:SourceIp", "not-an-ip"))),
    # --- ARNs ---------------------------------------------------------------------------------------------
    cond("arn-like-derived-principal-arn", ARN, "Allowed", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/ali*"}}, complete=False),
    cond("arn-equals-wildcards-too", ARN, "Allowed", {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{A}:user/*"}}, complete=False),
    cond("arn-like-star-stays-in-segment", ARN, "ImplicitlyDenied", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:topic"}}, ctx(("aws:SourceArn", f"arn:aws:sns:us-east-1:{A}:topic"))),
    cond("arn-like-per-segment", ARN, "Allowed", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:topic"}}, ctx(("aws:SourceArn", f"arn:aws:sns:us-east-1:{A}:topic"))),
    cond("arn-like-case-sensitive", ARN, "ImplicitlyDenied", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:Topic"}}, ctx(("aws:SourceArn", f"arn:aws:sns:us-east-1:{A}:topic"))),
    cond("arn-not-like", ARN, "Allowed", {"ArnNotLike": {"aws:SourceArn": f"arn:aws:sns:*:{B}:*"}}, ctx(("aws:SourceArn", f"arn:aws:sns:us-east-1:{A}:topic"))),
    cond("arn-like-not-an-arn", ARN, "ImplicitlyDenied", {"ArnLike": {"aws:SourceArn": "*"}}, ctx(("aws:SourceArn", "topic"))),
    cond("arn-like-resource-keeps-colons", ARN, "Allowed", {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:*"}}, ctx(("aws:SourceArn", f"arn:aws:logs:us-east-1:{A}:log-group:/app:*"))),
    # --- derived and undecided ------------------------------------------------------------------------------
    cond("derived-principal-account", GLOBAL, "Allowed", {"StringEquals": {"aws:PrincipalAccount": A}}, complete=False),
    cond("derived-principal-org", GLOBAL, "ImplicitlyDenied", {"StringEquals": {"aws:PrincipalOrgID": "o-other"}}, complete=False),
    cond("derived-principal-tag", GLOBAL, "Allowed", {"StringEquals": {"aws:PrincipalTag/Team": "red"}}, complete=False),
    cond("derived-principal-type", GLOBAL, "Allowed", {"StringEquals": {"aws:PrincipalType": "User"}}, complete=False),
    cond("derived-resource-account", GLOBAL, "Allowed", {"StringEquals": {"aws:ResourceAccount": A}}, complete=False),
    cond("derived-org-paths", GLOBAL, "Allowed", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-aaaa1111/r-ab12/ou-ab12-11111111/*"}}, complete=False),
    cond("derived-is-aws-service", GLOBAL, "Allowed", {"Bool": {"aws:PrincipalIsAWSService": "false"}}, complete=False),
    cond("undecided-key", UNDECIDED, "Allowed", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}, complete=False, text='aws:SourceVpce StringEquals "vpce-1"'),
    cond("undecided-two-keys-and", UNDECIDED, "Allowed", {"StringEquals": {"aws:SourceVpce": "vpce-1"}, "Bool": {"aws:SecureTransport": "true"}}, complete=False, text='aws:SourceVpce StringEquals "vpce-1" AND aws:SecureTransport Bool "true"'),
    cond("undecided-if-exists", UNDECIDED, "Allowed", {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, complete=False, text='aws:SourceVpce StringEqualsIfExists "vpce-1"'),
    cond("undecided-mixed-with-decided-false", UNDECIDED, "ImplicitlyDenied", {"StringEquals": {"aws:SourceVpce": "vpce-1", "aws:PrincipalAccount": B}}, complete=False),
    cond("undecided-deny", UNDECIDED, "Allowed", {"Bool": {"aws:MultiFactorAuthPresent": "false"}}, complete=False, effect="Deny", text='NOT aws:MultiFactorAuthPresent Bool "false"'),
    cond("undecided-values-listed", UNDECIDED, "Allowed", {"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}}, complete=False, text='aws:SourceVpce StringEquals ["vpce-1", "vpce-2"]'),
    Case(
        "cond-undecided-two-allows-or",
        UNDECIDED,
        "Allowed",
        identity=(doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), allow(condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),),
        condition='aws:SourceVpce StringEquals "vpce-1" OR aws:SourceIp IpAddress "10.0.0.0/8"',
    ),
    Case(
        "cond-undecided-or-and-not",
        UNDECIDED,
        "Allowed",
        identity=(
            doc(
                allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
                allow(condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                deny(condition={"Bool": {"aws:SecureTransport": "false"}}),
            ),
        ),
        condition='NOT aws:SecureTransport Bool "false" AND (aws:SourceVpce StringEquals "vpce-1" OR aws:SourceIp IpAddress "10.0.0.0/8")',
    ),
    Case(
        "cond-undecided-unconditional-allow-wins",
        UNDECIDED,
        "Allowed",
        identity=(doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), allow("s3:GetObject", OBJECT)),),
    ),
    Case(
        "cond-undecided-unconditional-deny-wins",
        UNDECIDED,
        "ExplicitlyDenied",
        identity=(doc(allow(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), deny("s3:GetObject")),),
    ),
    Case(
        "cond-derived-for-role-session",
        GLOBAL,
        "ImplicitlyDenied",
        principal=DEV,
        identity=(doc(allow(condition={"StringEquals": {"aws:username": "dev"}})),),
    ),
    Case(
        "cond-cross-account-principal-org-decided",
        GLOBAL,
        "ImplicitlyDenied",
        principal=CAROL_B,
        identity=(doc(allow()),),
        resource_account=A,
        resource_policy=doc(allow(principal="*", condition={"StringEquals": {"aws:PrincipalOrgID": "o-aaaa1111"}})),
    ),
]
