"""Documented cases: Action/NotAction, Resource/NotResource and policy variables."""

from __future__ import annotations

from .casekit import ALICE, BOB_ARN, DEV, OBJECT, A, Case, allow, ctx, deny, doc

ACTION = "IAM UG > IAM JSON policy elements: Action (case-insensitive, * and ? wildcards)"
NOTACTION = "IAM UG > IAM JSON policy elements: NotAction"
RESOURCE = "IAM UG > IAM JSON policy elements: Resource > Using wildcards in resource ARNs"
RESOURCE_CASE = "IAM UG > IAM JSON policy elements: Resource (the ARN is case-sensitive)"
NOTRESOURCE = "IAM UG > IAM JSON policy elements: NotResource"
VARS = "IAM UG > IAM policy elements: Variables and tags > Where you can use policy variables"
VARS_VERSION = "IAM UG > IAM policy elements: Variables and tags > Introduction (Version 2012-10-17 required)"
VARS_SPECIAL = "IAM UG > IAM policy elements: Variables and tags > Special characters"
VARS_DEFAULT = "IAM UG > IAM policy elements: Variables and tags > Specifying default values"
VARS_MISSING = "IAM UG > IAM policy elements: Variables and tags > Principal key values (not present: match fails)"


def act(pattern: str, action: str, expect: str, name: str) -> Case:
    return Case(f"action-{name}", ACTION, expect, action=action, resource="*", identity=(doc(allow(pattern, "*")),))


def res(pattern: str, resource: str, expect: str, name: str, why: str = RESOURCE) -> Case:
    return Case(f"resource-{name}", why, expect, resource=resource, identity=(doc(allow("s3:GetObject", pattern)),))


CASES: list[Case] = [
    act("s3:GetObject", "s3:GetObject", "Allowed", "exact"),
    act("S3:getobject", "s3:GetObject", "Allowed", "pattern-case-insensitive"),
    act("s3:GetObject", "S3:GETOBJECT", "Allowed", "request-case-insensitive"),
    act("s3:Get*", "s3:GetObjectAcl", "Allowed", "star-suffix"),
    act("s3:*Object", "s3:PutObject", "Allowed", "star-prefix"),
    act("s3:Get?bject", "s3:GetObject", "Allowed", "question-one-char"),
    act("s3:Get?Object", "s3:GetObject", "ImplicitlyDenied", "question-not-zero-chars"),
    act("s3:Get??bject", "s3:GetObject", "ImplicitlyDenied", "question-exactly-one"),
    act("s3:Get.bject", "s3:GetXbject", "ImplicitlyDenied", "dot-is-literal"),
    act("s3:Get.*", "s3:GetObject", "ImplicitlyDenied", "dot-star-is-not-regex"),
    act("s3:*", "s3:ListBucket", "Allowed", "service-star"),
    act("iam:*", "s3:GetObject", "ImplicitlyDenied", "other-service"),
    act("*", "ec2:RunInstances", "Allowed", "everything"),
    act("s3:List*", "s3:GetObject", "ImplicitlyDenied", "star-needs-prefix"),
    act("s3:*Tagging*", "s3:PutObjectTagging", "Allowed", "star-both-sides"),
    Case(
        "notaction-allows-other-services", NOTACTION, "Allowed", identity=(doc(allow(None, "*", not_action="iam:*")),)
    ),
    Case(
        "notaction-excludes-listed",
        NOTACTION,
        "ImplicitlyDenied",
        action="iam:CreateUser",
        resource="*",
        identity=(doc(allow(None, "*", not_action="iam:*")),),
    ),
    Case(
        "notaction-deny-everything-else",
        NOTACTION,
        "ExplicitlyDenied",
        identity=(doc(allow(), deny(None, "*", not_action=["iam:*", "sts:*"])),),
    ),
    Case(
        "notaction-deny-spares-listed",
        NOTACTION,
        "Allowed",
        action="sts:GetCallerIdentity",
        resource="*",
        identity=(doc(allow(), deny(None, "*", not_action=["iam:*", "sts:*"])),),
    ),
    Case(
        "notaction-case-insensitive",
        NOTACTION,
        "ImplicitlyDenied",
        action="IAM:CreateUser",
        resource="*",
        identity=(doc(allow(None, "*", not_action="iam:create*")),),
    ),
    res("arn:aws:s3:::reports/2024/q1.csv", OBJECT, "Allowed", "exact"),
    res("arn:aws:s3:::Reports/*", OBJECT, "ImplicitlyDenied", "case-sensitive", RESOURCE_CASE),
    res("arn:aws:s3:::reports/*", "arn:aws:s3:::reports/A/B.csv", "Allowed", "trailing-star"),
    res("arn:aws:s3:::reports/?.csv", "arn:aws:s3:::reports/a.csv", "Allowed", "question-one"),
    res("arn:aws:s3:::reports/?.csv", "arn:aws:s3:::reports/ab.csv", "ImplicitlyDenied", "question-not-two"),
    res("arn:aws:s3:::reports/?.csv", "arn:aws:s3:::reports/.csv", "ImplicitlyDenied", "question-not-zero"),
    res("arn:aws:s3:::reports/a.csv", "arn:aws:s3:::reports/aXcsv", "ImplicitlyDenied", "dot-literal"),
    res("arn:aws:s3:::reports/(a)+[b]", "arn:aws:s3:::reports/(a)+[b]", "Allowed", "metachars-literal"),
    res("arn:aws:s3:::reports/(a)+[b]", "arn:aws:s3:::reports/aa[b]", "ImplicitlyDenied", "metachars-not-regex"),
    res("arn:aws:s3:::reports/a*z", "arn:aws:s3:::reports/a:z", "ImplicitlyDenied", "mid-segment-star-stops-at-colon"),
    res("arn:aws:s3:::reports/*", "arn:aws:s3:::reports/a:b:c", "Allowed", "segment-final-star-crosses-colons"),
    res("arn:aws:s3:::reports", "arn:aws:s3:::reports/", "ImplicitlyDenied", "no-implicit-prefix"),
    res("arn:aws:s3:::rep*", OBJECT, "Allowed", "star-across-slash"),
    res("*", OBJECT, "Allowed", "everything"),
    res("arn:aws:s3:::*/2024/*", OBJECT, "Allowed", "star-in-middle-of-path"),
    Case(
        "notresource-without-resource-matches-others",
        NOTRESOURCE,
        "Allowed",
        identity=(doc(allow("s3:*", None, not_resource="arn:aws:s3:::secrets/*")),),
    ),
    Case(
        "notresource-excludes-listed",
        NOTRESOURCE,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::secrets/key",
        identity=(doc(allow("s3:*", None, not_resource="arn:aws:s3:::secrets/*")),),
    ),
    Case(
        "notresource-deny-everything-but",
        NOTRESOURCE,
        "ExplicitlyDenied",
        resource="arn:aws:s3:::other/x",
        identity=(doc(allow(), deny("s3:*", None, not_resource=["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])),),
    ),
    Case(
        "notresource-deny-spares-listed",
        NOTRESOURCE,
        "Allowed",
        identity=(doc(allow(), deny("s3:*", None, not_resource=["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])),),
    ),
    # --- policy variables ------------------------------------------------------------------------------
    Case(
        "var-username-home",
        VARS,
        "Allowed",
        resource="arn:aws:s3:::home/alice/notes.txt",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")),),
    ),
    Case(
        "var-username-other-home",
        VARS,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::home/bob/notes.txt",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")),),
    ),
    Case(
        "var-2008-literal",
        VARS_VERSION,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::home/alice/notes.txt",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17"),),
    ),
    Case(
        "var-2008-matches-literal-text",
        VARS_VERSION,
        "Allowed",
        resource="arn:aws:s3:::home/${aws:username}/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17"),),
    ),
    Case(
        "var-no-version-literal",
        VARS_VERSION,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::home/alice/notes.txt",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version=None),),
    ),
    Case(
        "var-username-absent-for-role",
        VARS_MISSING,
        "ImplicitlyDenied",
        principal=DEV,
        resource="arn:aws:s3:::home/dev/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")),),
    ),
    Case(
        "var-principal-tag",
        VARS,
        "Allowed",
        resource="arn:aws:s3:::teams/red/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*")),),
    ),
    Case(
        "var-default-used",
        VARS_DEFAULT,
        "Allowed",
        resource="arn:aws:s3:::teams/none/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::teams/${aws:PrincipalTag/cost-center, 'none'}/*")),),
    ),
    Case(
        "var-default-not-used-when-present",
        VARS_DEFAULT,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::teams/none/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'none'}/*")),),
    ),
    Case(
        "var-special-star-is-literal",
        VARS_SPECIAL,
        "Allowed",
        resource="arn:aws:s3:::b/*",
        identity=(doc(allow("s3:*", "arn:aws:s3:::b/${*}")),),
    ),
    Case(
        "var-special-star-not-wildcard",
        VARS_SPECIAL,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::b/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::b/${*}")),),
    ),
    Case(
        "var-special-question-is-literal",
        VARS_SPECIAL,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::b/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::b/${?}")),),
    ),
    Case(
        "var-special-dollar",
        VARS_SPECIAL,
        "Allowed",
        resource="arn:aws:s3:::b/$x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::b/${$}x")),),
    ),
    Case(
        "var-in-string-condition",
        VARS,
        "Allowed",
        action="s3:ListBucket",
        resource="arn:aws:s3:::home",
        context=ctx(("s3:prefix", "alice/photos")),
        identity=(
            doc(
                allow(
                    "s3:ListBucket", "arn:aws:s3:::home", condition={"StringLike": {"s3:prefix": "${aws:username}/*"}}
                )
            ),
        ),
    ),
    Case(
        "var-in-condition-other-prefix",
        VARS,
        "ImplicitlyDenied",
        action="s3:ListBucket",
        resource="arn:aws:s3:::home",
        context=ctx(("s3:prefix", "bob/photos")),
        identity=(
            doc(
                allow(
                    "s3:ListBucket", "arn:aws:s3:::home", condition={"StringLike": {"s3:prefix": "${aws:username}/*"}}
                )
            ),
        ),
    ),
    Case(
        "var-in-condition-unknown-key",
        VARS,
        "Allowed",
        context=ctx(("s3:prefix", "x")),
        identity=(doc(allow(condition={"StringEquals": {"s3:prefix": "${aws:SourceIdentity}"}})),),
        condition='s3:prefix StringEquals "${aws:SourceIdentity}"',
    ),
    Case(
        "var-not-substituted-in-numeric",
        VARS,
        "ImplicitlyDenied",
        context=ctx(("s3:max-keys", "5"), ("aws:username", "5")),
        identity=(doc(allow(condition={"NumericEquals": {"s3:max-keys": "${aws:username}"}})),),
    ),
    Case(
        "var-in-resource-unknown-key",
        VARS,
        "Allowed",
        resource="arn:aws:s3:::b/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::b/${aws:SourceIdentity}")),),
        condition='aws:SourceIdentity ResourceMatchesWithVariable "arn:aws:s3:::b/${aws:SourceIdentity}"',
    ),
    Case(
        "var-userid",
        VARS,
        "Allowed",
        resource="arn:aws:s3:::ids/AIDAALICE0000000001",
        identity=(doc(allow("s3:*", "arn:aws:s3:::ids/${aws:userid}")),),
    ),
    Case(
        "var-in-arn-condition",
        VARS,
        "Allowed",
        context=ctx(("aws:SourceArn", f"arn:aws:iam::{A}:user/alice")),
        identity=(
            doc(
                allow(
                    condition={
                        "ArnEquals": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}
                    }
                )
            ),
        ),
    ),
    Case(
        "var-principal-arn-other-user",
        VARS,
        "ImplicitlyDenied",
        principal=ALICE,
        context=ctx(("aws:SourceArn", BOB_ARN)),
        identity=(
            doc(
                allow(
                    condition={
                        "ArnEquals": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}
                    }
                )
            ),
        ),
    ),
]
