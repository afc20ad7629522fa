"""Roles numbered, and which of them each identity statement's Resource fits: one bitset per Resource
pattern, matched against every role ARN once, so that a signature class splits the roles it is decided on by
how its statements fit them (`parts`) with a few bit operations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from service.evaluation.wildcards import has_wildcard, resource_regex
from service.reachability.edges.model import indices
from service.reachability.profiles import Role
from service.reachability.signatures import FittedStatement, SignatureClass

Parts = list[tuple[frozenset[int], int]]  # (the contents of the statements that fit, the roles as bits)


class RoleFits:
    """The roles of a generation, numbered in ARN order, and the roles each Resource pattern matches."""

    def __init__(self, roles: Sequence[Role]) -> None:
        self.roles = list(roles)
        self.arns = [role.arn for role in roles]
        self.index = {arn: number for number, arn in enumerate(self.arns)}
        self.everything = (1 << len(roles)) - 1
        self.of_account: dict[str, int] = {}
        for number, role in enumerate(self.roles):
            self.of_account[role.account_id] = self.of_account.get(role.account_id, 0) | (1 << number)
        self._fits: dict[int, int | None] = {}
        self._patterns: dict[str, int] = {}

    def parts(self, signature_class: SignatureClass, roles: int) -> Parts | None:
        """`roles` split by which of the class's statements fit their ARN (by the contents that do), as
        `classify` fits them; None when a fit depends on who the principal is (a policy variable)."""
        signature = signature_class.signature
        parts: Parts = [(frozenset(signature.key.fit_everywhere), roles)]
        for fitted in signature.fitted:
            fits = self.fit(fitted)
            if fits is None:
                return None
            split: Parts = []
            for contents, part in parts:
                if inside := part & fits:
                    split.append((contents | {fitted.content}, inside))
                if outside := part & ~fits:
                    split.append((contents, outside))
            parts = split
        merged: dict[frozenset[int], int] = {}
        for contents, part in parts:
            merged[contents] = merged.get(contents, 0) | part
        return list(merged.items())

    def fit(self, fitted: FittedStatement) -> int | None:
        """The roles whose ARN the statement's Resource (or NotResource) may match (`classes._may_fit`); None
        when that depends on its policy variables."""
        if fitted.patterns not in self._fits:
            cs = fitted.compiled
            found: int | None
            if cs.resources is not None:
                found = None if cs.resources.variable_patterns else self._matching(cs.resources.static)
            elif cs.not_resources is not None:
                excluded = None if cs.not_resources.variable_patterns else self._matching(cs.not_resources.static)
                found = None if excluded is None else self.everything & ~excluded
            else:
                found = self.everything
            self._fits[fitted.patterns] = found
        return self._fits[fitted.patterns]

    def _matching(self, patterns: Iterable[str]) -> int:
        found = 0
        for pattern in patterns:
            held = self._patterns.get(pattern)
            if held is None:
                held = self._patterns[pattern] = self._pattern(pattern)
            found |= held
        return found

    def _pattern(self, pattern: str) -> int:
        """The roles whose ARN a static Resource pattern matches (`ResourceSet.match`). A role ARN holds no
        colon past its account, so a pattern whose account field is an account matches only its roles."""
        if pattern == "*":
            return self.everything
        if not has_wildcard(pattern):
            number = self.index.get(pattern)
            return 0 if number is None else 1 << number
        account = pattern.split(":", 5)[4] if pattern.count(":") >= 5 else "*"
        pool = self.of_account.get(account, 0) if len(account) == 12 and account.isdigit() else self.everything
        match = resource_regex(pattern).fullmatch
        found = 0
        for number in indices(pool):
            if match(self.arns[number]) is not None:
                found |= 1 << number
        return found
