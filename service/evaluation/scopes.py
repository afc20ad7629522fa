"""What a condition key's value depends on: the one table every reader of condition keys consults.

The scope says which requests share a key's value. Reachability groups principals by it (two principals
of one account and kind see the same `aws:PrincipalAccount`; two resources see the same `aws:SourceIp`),
the trust review reads it to tell a condition that restricts the caller's account or organization, and
the request context to tell what a stand-in principal (attributes unknown) still knows. Sources: IAM User
Guide, "AWS global condition context keys" (the "Properties of the principal", "of a role session", "of
the network", "of the resource" and "of the request" sections) and the STS keys of "Actions, resources,
and condition keys for AWS Security Token Service".
"""

from __future__ import annotations

from enum import Enum


class Scope(Enum):
    PRINCIPAL = "principal"  # who the principal is: differs between principals of one account
    ACCOUNT = "account"  # the principal's account
    ORGANIZATION = "organization"  # the principal's organization and its place in it
    REQUEST = "request"  # how, where and when the request is made: the same whatever the resource
    RESOURCE = "resource"  # the resource (its account, its tags, a service's own keys): may differ per resource


# Keys about the request itself (its network, time, session and tags), the same whatever the resource.
_REQUEST_KEYS = """
    aws:sourceip aws:sourcevpc aws:sourcevpce aws:vpcsourceip aws:multifactorauthpresent
    aws:multifactorauthage aws:viaawsservice aws:calledvia aws:calledviafirst aws:calledvialast
    aws:securetransport aws:currenttime aws:epochtime aws:tokenissuetime aws:useragent aws:referer
    aws:requestedregion aws:sourceidentity aws:federatedprovider aws:tagkeys sts:externalid
    sts:rolesessionname sts:sourceidentity sts:transitivetagkeys
"""
_KEYS: dict[str, Scope] = {
    "aws:principalarn": Scope.PRINCIPAL,
    "aws:username": Scope.PRINCIPAL,
    "aws:userid": Scope.PRINCIPAL,
    "aws:principaltype": Scope.PRINCIPAL,
    "aws:principalisawsservice": Scope.PRINCIPAL,
    "aws:principalservicename": Scope.PRINCIPAL,
    "aws:principalservicenameslist": Scope.PRINCIPAL,
    "aws:principalaccount": Scope.ACCOUNT,
    "aws:principalorgid": Scope.ORGANIZATION,
    "aws:principalorgpaths": Scope.ORGANIZATION,
    "aws:resourceaccount": Scope.RESOURCE,
    **dict.fromkeys(_REQUEST_KEYS.split(), Scope.REQUEST),
}
PRINCIPAL_TAG_PREFIX = "aws:principaltag/"
_PREFIXES = ((PRINCIPAL_TAG_PREFIX, Scope.PRINCIPAL), ("aws:requesttag/", Scope.REQUEST))
# Keys whose value follows from the principal's kind alone (user, role, AWS service): the same for every
# principal of one kind, unlike the other keys about the principal.
KIND_KEYS = frozenset(
    {"aws:principaltype", "aws:principalisawsservice", "aws:principalservicename", "aws:principalservicenameslist"}
)


def scope_of(key_lower: str) -> Scope:
    """The scope of a condition key (lower case). A key this table does not name (aws:ResourceTag/...,
    iam:ResourceTag/..., a service's own key) counts as the resource's: the safe reading, since it may then
    differ between any two requests."""
    found = _KEYS.get(key_lower)
    if found is not None:
        return found
    for prefix, scope in _PREFIXES:
        if key_lower.startswith(prefix):
            return scope
    return Scope.RESOURCE


def identifies_principal(key_lower: str) -> bool:
    """Whether the key's value may differ between two principals of one account and kind."""
    return scope_of(key_lower) is Scope.PRINCIPAL and key_lower not in KIND_KEYS
