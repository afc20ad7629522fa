"""Target classes: the roles, users and policies of an account that no statement about an action tells
apart. A required action of a technique is then decided once per target class, not once per target.

Every statement the evaluator reads about an action on a target of the account (in the identity policies
and permissions boundaries of the account's principals, the SCPs and RCPs over it) matches the target by
its `Resource` or `NotResource` patterns; the request carries nothing else of the target (no tags, no
resource policy: IAM's own resources take none). Two targets matched by exactly the same patterns of the
statements about the action, and equally refused or not by AWS whatever the policies say (a service-linked
or AWS-reserved role, an AWS managed policy: `aws_protected.py`), therefore get the same decision,
condition and explanation for every principal. A target that such a pattern names exactly, or that a
pattern with a policy variable could match (that depends on who asks), is a class of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from service.evaluation.aws_protected import refused_by_aws
from service.evaluation.policy import Policy
from service.evaluation.statements import PolicyType, compiled
from service.evaluation.wildcards import has_wildcard, resource_matcher, resource_regex
from service.reachability.profiles import AccountEntry, parsed

_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class _Patterns:
    """The Resource/NotResource patterns of the statements about one action."""

    exact: frozenset[str]
    # (the wildcard patterns whose only wildcard is a final `*`, by what precedes it, and the lengths of
    # those starts, shortest first: a target's are found by a lookup per length, not a test per pattern)
    starts: dict[str, str]
    lengths: tuple[int, ...]
    wildcards: tuple[tuple[str, Callable[[str], bool]], ...]  # (the others)
    variables: tuple[re.Pattern[str], ...]

    def matching(self, arn: str) -> frozenset[str]:
        """The wildcard patterns that match `arn`."""
        starts, found = self.starts, []
        for length in self.lengths:
            if length > len(arn):
                break
            if (pattern := starts.get(arn[:length])) is not None:
                found.append(pattern)
        return frozenset((*found, *(p for p, matches in self.wildcards if matches(arn))))


class TargetClasses:
    """The target classes of one account as of one load: `key(action, arn)` is equal for the targets no
    statement about the action tells apart."""

    def __init__(self, entry: AccountEntry) -> None:
        self._policies = _policies(entry)
        self._patterns: dict[str, _Patterns] = {}
        self._keys: dict[tuple[str, str], Hashable] = {}

    def key(self, action: str, arn: str) -> Hashable:
        """The target's class for `action`: its ARN when it is a class of its own, else the patterns that
        match it. A pattern of targets is a class of its own."""
        if has_wildcard(arn):  # a question about some target of a pattern is answered otherwise (classes.py)
            return ("pattern", arn)
        action_lower = action.lower()
        found = self._keys.get((action_lower, arn))
        if found is None:
            patterns = self._patterns.get(action_lower)
            if patterns is None:
                patterns = self._patterns[action_lower] = self._about(action_lower)
            if arn in patterns.exact or any(regex.fullmatch(arn) for regex in patterns.variables):
                found = ("own", arn)
            else:
                matched = patterns.matching(arn)
                protection = refused_by_aws(action, arn)  # (the evaluator refuses it before any statement)
                found = ("by-patterns", matched, protection.name if protection is not None else None)
            self._keys[(action_lower, arn)] = found
        return found

    def prepare(self, action: str) -> None:
        """Read the patterns of the statements about the action before a target is asked about."""
        if action.lower() not in self._patterns:
            self._patterns[action.lower()] = self._about(action.lower())

    def _about(self, action_lower: str) -> _Patterns:
        exact: set[str] = set()
        wildcards: dict[str, Callable[[str], bool]] = {}
        variables: dict[str, re.Pattern[str]] = {}
        for policy, policy_type in self._policies:
            for cs in compiled(policy, policy_type).for_action(action_lower):
                statement = cs.statement
                for pattern in (*(statement.resources or ()), *(statement.not_resources or ())):
                    if "${" in pattern:
                        if pattern not in variables:
                            variables[pattern] = resource_regex(_VARIABLE.sub("*", pattern))
                    elif has_wildcard(pattern):
                        if pattern not in wildcards:
                            wildcards[pattern] = resource_matcher(pattern)
                    else:
                        exact.add(pattern)
        starts = {p[:-1]: p for p in wildcards if p.find("*") == len(p) - 1 and "?" not in p}
        prefixes = set(starts.values())
        others = tuple((p, matches) for p, matches in wildcards.items() if p not in prefixes)
        lengths = tuple(sorted({len(start) for start in starts}))
        return _Patterns(frozenset(exact), starts, lengths, others, tuple(variables.values()))


def _policies(entry: AccountEntry) -> list[tuple[Policy, PolicyType]]:
    found: dict[int, tuple[Policy, PolicyType]] = {}
    for profile in entry.profiles.values():
        for ref in profile.policies:
            if ref.loaded and id(policy := parsed(ref)) not in found:
                found[id(policy)] = (policy, "identity")
        if profile.boundary is not None and profile.boundary.loaded:
            boundary = parsed(profile.boundary)
            found.setdefault(-id(boundary), (boundary, "boundary"))
    for level in entry.org.scp_levels:
        for policy in level:
            found.setdefault(id(policy), (policy, "scp"))
    for level in entry.org.rcp_levels:
        for policy in level:
            found.setdefault(-1 - id(policy), (policy, "rcp"))
    return list(found.values())
