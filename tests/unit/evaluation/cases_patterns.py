"""Documented cases: questions about *some* resource matching a pattern (issue #15, item 6).

The rule (ours, built on the Resource matching rules of the IAM User Guide): an Allow applies when its
Resource/NotResource can match some resource of the pattern (the two wildcard patterns meet), a Deny only
when it covers every resource of the pattern.
"""

from __future__ import annotations

from .casekit import ALICE_ARN, FULL_ACCESS, A, Case, allow, aws, deny, doc

RES = "IAM UG > IAM JSON policy elements: Resource > Using wildcards in resource ARNs (pattern questions)"
NOTRES = "IAM UG > IAM JSON policy elements: NotResource (pattern questions)"
VARS = "IAM UG > IAM policy elements: Variables and tags > Using variables in Resource (pattern questions)"

LOGS = "arn:aws:s3:::logs/*"
AWSLOGS = "arn:aws:s3:::logs/AWSLogs/*"
ALL_S3 = "arn:aws:s3:::*"


def read(resource: str) -> dict[str, object]:
    return doc(allow("s3:GetObject", resource))


CASES: list[Case] = [
    Case("pattern-allow-wider-than-question", RES, "Allowed", resource=AWSLOGS, pattern=True, identity=(read(LOGS),)),
    Case(
        "pattern-allow-narrower-than-question",
        RES,
        "Allowed",
        resource=LOGS,
        pattern=True,
        identity=(read("arn:aws:s3:::logs/AWSLogs/111111111111/*"),),
    ),
    Case(
        "pattern-allow-disjoint",
        RES,
        "ImplicitlyDenied",
        resource=LOGS,
        pattern=True,
        identity=(read("arn:aws:s3:::other/*"),),
    ),
    Case(
        "pattern-allow-wildcards-on-both-sides",
        RES,
        "Allowed",
        resource="arn:aws:s3:::*c",
        pattern=True,
        identity=(read("arn:aws:s3:::a?c"),),
    ),
    Case(
        "pattern-question-mark-needs-one-character",
        RES,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::ab",
        pattern=True,
        identity=(read("arn:aws:s3:::ab?"),),
    ),
    Case(
        "pattern-account-segments-disjoint",
        RES,
        "ImplicitlyDenied",
        pattern=True,
        resource=f"arn:aws:iam::{A}:user/*",
        identity=(doc(allow("iam:GetUser", "arn:aws:iam::*x:user/*")),),
        action="iam:GetUser",
    ),
    Case("pattern-star-question", RES, "Allowed", resource="*", pattern=True, identity=(read(LOGS),)),
    Case(
        "pattern-deny-narrower-does-not-cover",
        RES,
        "Allowed",
        resource=LOGS,
        pattern=True,
        identity=(doc(allow(), deny("s3:*", AWSLOGS)),),
    ),
    Case(
        "pattern-deny-wider-covers",
        RES,
        "ExplicitlyDenied",
        resource=AWSLOGS,
        pattern=True,
        identity=(doc(allow(), deny("s3:*", LOGS)),),
    ),
    Case(
        "pattern-deny-everything",
        RES,
        "ExplicitlyDenied",
        resource="*",
        pattern=True,
        identity=(doc(allow(), deny("s3:*")),),
    ),
    Case(
        "pattern-deny-star-question-not-covered",
        RES,
        "Allowed",
        resource="*",
        pattern=True,
        identity=(doc(allow(), deny("s3:*", ALL_S3)),),
    ),
    Case(
        "pattern-notresource-allow-all-excluded",
        NOTRES,
        "ImplicitlyDenied",
        resource=AWSLOGS,
        pattern=True,
        identity=(doc(allow("s3:*", None, not_resource=LOGS)),),
    ),
    Case(
        "pattern-notresource-allow-some-left",
        NOTRES,
        "Allowed",
        resource=ALL_S3,
        pattern=True,
        identity=(doc(allow("s3:*", None, not_resource=LOGS)),),
    ),
    Case(
        "pattern-notresource-deny-disjoint-covers",
        NOTRES,
        "ExplicitlyDenied",
        resource="arn:aws:s3:::other/*",
        pattern=True,
        identity=(doc(allow(), deny("s3:*", None, not_resource=LOGS)),),
    ),
    Case(
        "pattern-notresource-deny-overlap-spares",
        NOTRES,
        "Allowed",
        resource=ALL_S3,
        pattern=True,
        identity=(doc(allow(), deny("s3:*", None, not_resource=LOGS)),),
    ),
    Case(
        "pattern-resource-policy-grant",
        RES,
        "Allowed",
        resource=AWSLOGS,
        pattern=True,
        resource_policy=doc(allow("s3:GetObject", LOGS, principal=aws(ALICE_ARN))),
    ),
    Case(
        "pattern-scp-deny-covers",
        RES,
        "ExplicitlyDenied",
        resource=AWSLOGS,
        pattern=True,
        identity=FULL_ACCESS,
        scps=((doc(allow(), deny("s3:*", LOGS)),),),
    ),
    Case(
        "pattern-scp-allow-meets",
        RES,
        "Allowed",
        resource=ALL_S3,
        pattern=True,
        identity=FULL_ACCESS,
        scps=((doc(allow("s3:*", LOGS)),),),
    ),
    Case(
        "pattern-variable-meets",
        VARS,
        "Allowed",
        resource="arn:aws:s3:::home/*",
        pattern=True,
        identity=(read("arn:aws:s3:::home/${aws:username}/*"),),
    ),
    Case(
        "pattern-variable-disjoint",
        VARS,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::home/bob/*",
        pattern=True,
        identity=(read("arn:aws:s3:::home/${aws:username}/*"),),
    ),
    Case(
        "pattern-literal-star-in-key-as-arn",
        RES,
        "ImplicitlyDenied",
        resource="arn:aws:s3:::logs/a*b",
        identity=(read("arn:aws:s3:::logs/axb"),),
    ),
]
