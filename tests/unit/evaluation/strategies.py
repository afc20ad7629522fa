"""Hypothesis strategies for the evaluator's property tests, in one place."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from service.evaluation import Principal, principal_from_arn

# Characters that mean something to `re` must still be literal in IAM patterns.
REGEX_METACHARS = ".^$+()[]{}|\\"
SERVICES = st.sampled_from(["s3", "iam", "ec2", "sts", "kms", "execute-api", "dynamodb"])
NAME_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
ACCOUNTS = st.sampled_from(["111111111111", "222222222222", "333333333333"])
IAM_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789+=,.@_-", min_size=1, max_size=12)


@st.composite
def actions(draw: st.DrawFn) -> str:
    return f"{draw(SERVICES)}:{draw(st.text(alphabet=NAME_CHARS, min_size=1, max_size=16))}"


@st.composite
def glob_over(draw: st.DrawFn, text: str) -> str:
    """A pattern derived from `text` that must match it: cut into pieces, some pieces become `*`, some
    single characters `?`."""
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=4)) | {0, len(text)})
    out: list[str] = []
    for start, end in itertools.pairwise(cuts):
        piece = text[start:end]
        choice = draw(st.integers(0, 2))
        if choice == 1:
            out.append("*")
        elif choice == 2:
            out.append("?" + piece[1:] if piece else "")
        else:
            out.append(piece)
    return "".join(out)


# Arbitrary patterns and subjects over a small alphabet, so that matches happen often.
GLOB_ALPHABET = "ab:/*?" + ".+()[]|\\$^"
glob_patterns = st.text(alphabet=GLOB_ALPHABET, max_size=10)
glob_subjects = st.text(alphabet="ab:/.+()[]|\\$^*?", max_size=10)


@st.composite
def resources(draw: st.DrawFn) -> str:
    service = draw(st.sampled_from(["s3", "sqs", "iam", "logs"]))
    region = "" if service in ("s3", "iam") else draw(st.sampled_from(["us-east-1", "eu-west-1"]))
    account = "" if service == "s3" else draw(ACCOUNTS)
    path = draw(st.text(alphabet="abcXYZ019/-_.:*?$", min_size=1, max_size=20))
    return f"arn:aws:{service}:{region}:{account}:{path}"


@st.composite
def principals(draw: st.DrawFn) -> Principal:
    kind = draw(st.sampled_from(["user", "role", "session", "root"]))
    account = draw(ACCOUNTS)
    name = draw(IAM_NAME)
    unique_id = draw(st.from_regex(r"A(ID|RO)A[A-Z0-9]{16}", fullmatch=True))
    if kind == "user":
        return principal_from_arn(f"arn:aws:iam::{account}:user/{name}", unique_id=unique_id)
    if kind == "role":
        return principal_from_arn(f"arn:aws:iam::{account}:role/{name}", unique_id=unique_id)
    if kind == "session":
        session = draw(IAM_NAME)
        return principal_from_arn(f"arn:aws:sts::{account}:assumed-role/{name}/{session}", unique_id=unique_id)
    return principal_from_arn(f"arn:aws:iam::{account}:root")


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(["Allow", "Deny", "*", "s3:GetObject", "arn:aws:s3:::b/*", "2012-10-17", "2008-10-17"]),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(
                st.one_of(
                    st.sampled_from(
                        [
                            "Version",
                            "Statement",
                            "Effect",
                            "Action",
                            "NotAction",
                            "Resource",
                            "NotResource",
                            "Principal",
                            "NotPrincipal",
                            "Condition",
                            "Sid",
                            "AWS",
                            "Service",
                            "StringEquals",
                            "ForAnyValue:StringLike",
                            "NullIfExists",
                            "aws:SourceIp",
                        ]
                    ),
                    st.text(max_size=8),
                ),
                children,
                max_size=5,
            ),
        ),
        max_leaves=25,
    )


@st.composite
def policy_like_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly-valid documents with one element swapped for something arbitrary."""
    statement: dict[str, Any] = {
        "Effect": draw(st.sampled_from(["Allow", "Deny"])),
        "Action": draw(st.one_of(actions(), st.lists(actions(), min_size=1, max_size=3))),
        "Resource": draw(st.one_of(st.just("*"), resources())),
    }
    field = draw(
        st.sampled_from(["Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition", "Sid"])
    )
    statement[field] = draw(json_values())
    document: dict[str, Any] = {
        "Version": draw(st.sampled_from(["2012-10-17", "2008-10-17"])),
        "Statement": [statement],
    }
    if draw(st.booleans()):
        document["Statement"] = statement
    return document
