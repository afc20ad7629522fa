"""Does a `Principal`/`NotPrincipal` element name the caller, and how?

How matters (IAM User Guide, "Policy evaluation logic" > "Resource-based policies", same account):

- `direct`: the element names the role *session*, the federated user session
  (`arn:aws:sts::ACCT:federated-user/NAME`), a service, a federated provider, or everyone (`"*"`).
  Implicit denies in identity policies, boundaries and session policies do not limit such a grant.
- `user`: the element names the IAM user, or the IAM user whose `GetFederationToken` call created the
  federated user session. Identity policies and the boundary do not limit the grant; a session policy
  does ("Session policies": the resource policy's permissions are added to the user's before the session
  is created, and the session policy limits them).
- `role`: the element names the role ARN; the grant is limited by the session's boundary and session
  policy, but needs no identity-policy Allow.
- `account`: the element names the account (`123456789012` or `arn:aws:iam::123456789012:root`). That
  only delegates to the account: the caller's own identity policies must allow too.

User names in ARNs are case-sensitive; roles and users are compared by account and name, since names
are unique in an account. Partial wildcards in principal ARNs are not wildcards (AWS: "You cannot use a
wildcard to match part of a principal name or ARN"). Unique ids (`AROA...`, `AIDA...`) appear when the
named entity was deleted; they match only a caller with that very id, and are reported otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .formula import Cond, Test, disj, neg
from .policy import PrincipalSet
from .request import Principal, is_account_id, parse_iam_arn
from .variables import Absent, Lookup

_UNIQUE_ID = re.compile(r"A[A-Z]{3}[A-Z0-9]{8,}\Z")

# "The caller's session is named X": decided from aws:userid when the context has it, else a `Test`.
SessionTest = Callable[[str], Cond]


@dataclass(frozen=True, slots=True)
class PrincipalMatch:
    direct: Cond = False
    role: Cond = False
    account: Cond = False
    unknown_ids: tuple[str, ...] = ()
    user: Cond = False

    @property
    def any(self) -> Cond:
        return disj((self.direct, self.user, self.role, self.account))


NO_MATCH = PrincipalMatch()


def session_test_for(make: Callable[[str, str, tuple[str, ...]], Test], userid: Lookup) -> SessionTest:
    """A role session's aws:userid is `ROLE-ID:SESSION-NAME` (IAM UG, "Policy variables" > principal key
    values), so "the session is named X" is the test `aws:userid StringLike *:X`."""

    def test(session: str) -> Cond:
        if isinstance(userid, tuple):
            return any(value.endswith(f":{session}") for value in userid)
        if isinstance(userid, Absent):
            return False
        return make("aws:userid", "StringLike", (f"*:{session}",))

    return test


def match_principal(element: PrincipalSet, who: Principal, session_test: SessionTest) -> PrincipalMatch:
    """How `element` (a `Principal` element) names `who`."""
    if element.everyone:
        return PrincipalMatch(direct=True)
    direct: list[Cond] = []
    user: list[Cond] = []
    role: list[Cond] = []
    account: list[Cond] = []
    unknown: list[str] = []
    for value in element.aws:
        if _names_account(value, who):
            (direct if who.kind == "root" else account).append(True)
        elif _names_user(value, who) or _names_role(value, who):
            (user if who.kind == "user" else role).append(True)
        elif _names_federated_user(value, who):
            direct.append(True)
        elif _names_parent_user(value, who):
            user.append(True)
        elif (session := _names_session(value, who, session_test)) is not False:
            direct.append(session)
        elif _UNIQUE_ID.match(value) and value != who.unique_id:
            unknown.append(value)
    if who.kind == "service" and _listed_service(element, who):
        direct.append(True)
    if who.kind == "federated" and who.arn in element.federated:
        direct.append(True)
    if who.unique_id is not None and who.unique_id in element.canonical_user:
        direct.append(True)
    return PrincipalMatch(disj(direct), disj(role), disj(account), tuple(unknown), disj(user))


def match_not_principal(
    element: PrincipalSet,
    who: Principal,
    session_test: SessionTest,
    *,
    deny_with_boundary: bool,
) -> Cond:
    """Whether a `NotPrincipal` element applies to `who`.

    IAM User Guide, "AWS JSON policy elements: NotPrincipal": AWS may check the account, then the role,
    then the session, so the caller escapes the statement only when *every* one of its identities is
    listed (account and user; account, role and session; account and federated user session). And a
    `Deny` with `NotPrincipal` "will always deny any IAM principal that has a permissions boundary policy
    attached" (`deny_with_boundary`; a federated user session has its user's boundary).
    """
    if deny_with_boundary and who.kind in ("user", "role", "federated-user"):
        return True
    if element.everyone:
        return False
    listed: list[Cond]
    if who.kind in ("anonymous",):
        listed = [False]
    elif who.kind == "service":
        listed = [_listed_service(element, who)]
    elif who.kind == "federated":
        listed = [who.arn in element.federated]
    else:
        account_listed = any(_names_account(v, who) for v in element.aws)
        listed = [account_listed]
        if who.kind == "user":
            listed.append(any(_names_user(v, who) for v in element.aws))
        elif who.kind == "role":
            listed.append(any(_names_role(v, who) for v in element.aws))
            listed.append(disj(_names_session(v, who, session_test) for v in element.aws))
        elif who.kind == "federated-user":
            listed.append(any(_names_federated_user(v, who) for v in element.aws))
    return disj(neg(item) for item in listed)


def _listed_service(element: PrincipalSet, who: Principal) -> bool:
    name = who.arn.lower()
    return any(value.lower() == name for value in element.service)


def _names_account(value: str, who: Principal) -> bool:
    if not who.is_iam_identity or who.account_id is None:
        return False
    if is_account_id(value):
        return value == who.account_id
    parsed = parse_iam_arn(value)
    return parsed is not None and parsed[1] == "iam" and parsed[3] == "root" and parsed[2] == who.account_id


def _names_user(value: str, who: Principal) -> bool:
    return who.kind == "user" and _names_identity(value, who, who.arn, "user/")


def _names_role(value: str, who: Principal) -> bool:
    return who.kind == "role" and _names_identity(value, who, who.role_arn, "role/")


def _names_federated_user(value: str, who: Principal) -> bool:
    """The federated user session's own ARN (any partition spelling aside, account and name must match)."""
    if who.kind != "federated-user":
        return False
    parsed = parse_iam_arn(value)
    return (
        parsed is not None
        and parsed[1] == "sts"
        and parsed[2] == who.account_id
        and parsed[3] == f"federated-user/{who.federated_user_name}"
    )


def _names_parent_user(value: str, who: Principal) -> bool:
    """The IAM user whose credentials created the federated user session, when known."""
    parent = who.parent_user_arn
    if who.kind != "federated-user" or parent is None or ":user/" not in parent:
        return False
    if value == parent:
        return True
    parsed = parse_iam_arn(value)
    return (
        parsed is not None
        and parsed[1] == "iam"
        and parsed[2] == who.account_id
        and parsed[3].startswith("user/")
        and parsed[3].rsplit("/", 1)[-1] == parent.rsplit("/", 1)[-1]
    )


def _names_identity(value: str, who: Principal, own_arn: str | None, resource_prefix: str) -> bool:
    """`value` names the caller: its ARN, its unique id, or an ARN of its account and name (any path)."""
    if value == own_arn or (who.unique_id is not None and value == who.unique_id):
        return True
    parsed = parse_iam_arn(value)
    return (
        parsed is not None
        and parsed[1] == "iam"
        and parsed[2] == who.account_id
        and parsed[3].startswith(resource_prefix)
        and parsed[3].rsplit("/", 1)[-1] == who.name
    )


def _names_session(value: str, who: Principal, session_test: SessionTest) -> Cond:
    """An assumed-role ARN naming a session of the caller's role: decided when the session is known."""
    if who.kind != "role":
        return False
    parsed = parse_iam_arn(value)
    if parsed is None or parsed[1] != "sts" or parsed[2] != who.account_id:
        return False
    parts = parsed[3].split("/", 2)
    if len(parts) != 3 or parts[0] != "assumed-role" or parts[1] != who.name:
        return False
    if who.session_name is not None:
        return parts[2] == who.session_name
    return session_test(parts[2])
