"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`.

IAM User Guide, "IAM policy elements: Variables and tags": variables work only under Version
2012-10-17 (earlier documents keep `${...}` as literal text), in `Resource` and in the values of string
and ARN condition operators. A variable whose key is not in the request makes the element fail to match
("any attempt to match it fails") unless it names a default. `${*}`, `${?}` and `${$}` stand for a
literal `*`, `?` and `$`.

Substitution produces *escaped* patterns (see `wildcards`): a backslash before a character makes it
literal, so substituted values and the special variables never act as wildcards.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias


class Absent(enum.Enum):
    """The key is not in the request context (AWS's "not present")."""

    ABSENT = 0


class Unknown(enum.Enum):
    """The request context does not say whether the key is present (graph questions)."""

    UNKNOWN = 0


ABSENT = Absent.ABSENT
UNKNOWN = Unknown.UNKNOWN
Lookup: TypeAlias = tuple[str, ...] | Absent | Unknown


@dataclass(frozen=True, slots=True)
class Unresolved:
    """Substitution needs the value of `key`, which the request context does not give."""

    key: str


_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"\s*([^,]+?)\s*,\s*'([^']*)'\s*\Z")
_SPECIAL = {"*": "\\*", "?": "\\?", "$": "$"}
_MAX_EXPANSIONS = 64


def has_variables(text: str) -> bool:
    return "${" in text and _VARIABLE.search(text) is not None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _escape_static(text: str) -> str:
    return text.replace("\\", "\\\\")


def unescape(pattern: str) -> str:
    """An escaped pattern back to the literal text it stands for."""
    return re.sub(r"\\(.)", r"\1", pattern, flags=re.DOTALL)


def substitute_text(template: str, lookup: Callable[[str], Lookup]) -> tuple[str, ...] | Absent | Unresolved:
    """Substitute every variable in `template`.

    Returns the escaped pattern(s) (one per combination of values of multi-valued keys), `ABSENT` when a
    variable has no value and no default, or `Unresolved(key)` when the context cannot tell.
    """
    pieces: list[tuple[str, ...]] = []
    position = 0
    for match in _VARIABLE.finditer(template):
        pieces.append((_escape_static(template[position : match.start()]),))
        position = match.end()
        body = match.group(1)
        if body in _SPECIAL:
            pieces.append((_SPECIAL[body],))
            continue
        with_default = _DEFAULT.match(body)
        key, default = (with_default.group(1), with_default.group(2)) if with_default else (body.strip(), None)
        if not key:
            pieces.append((_escape_static(match.group(0)),))
            continue
        found = lookup(key)
        if isinstance(found, Unknown):
            return Unresolved(key)
        if isinstance(found, Absent) or not found:
            if default is None:
                return ABSENT
            found = (default,)
        pieces.append(tuple(_escape(value) for value in found))
    pieces.append((_escape_static(template[position:]),))
    combos = itertools.islice(itertools.product(*pieces), _MAX_EXPANSIONS)
    return tuple(dict.fromkeys("".join(parts) for parts in combos))
