"""What a load run records of access, so that `diff` compares access without answering a question: for every
principal, the roles it may assume directly (`direct`) and within two hops (`reach`), as bits of roles, and
every account's administrators. Built from the bulk evaluation (service/reachability/edges) of the graph once
the run's loads are written (`record_access`, service/history/access_store.py); read back by `diff`
(service/history/ability.py compares two).

Principals with the same direct roles share one row (a *key*): 100k principals have about 17,000. A principal
that is a role is not its own assumer in either row; a row shared by roles may hold one of them in its
`reach` (through another role that may assume it back): the comparison drops a principal's own bit.

Roles are numbered along a *lineage*: a record numbers the roles of the record before it as that one did and
appends the new ones, so that two records of one lineage compare bit for bit; `present` says which numbered
roles exist in its world. A lineage whose roles are more than a third gone starts anew (sorted).
"""

from __future__ import annotations

import gzip
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from service.reachability.edges import AssumeEdges, indices
from service.reachability.edges.model import from_indices

FORMAT = 1  # (the stored form's version: a record of another one is not read, and diff says so)
EXTERNAL = "external"  # the kind of a principal the loaded data does not hold (named by a trust)


@dataclass(frozen=True, slots=True)
class AccessRecord:
    lineage: str
    roles: tuple[str, ...]  # the lineage's numbering (every role it ever numbered)
    present: int  # bits of the roles of this world
    principals: Mapping[str, tuple[int, str]]  # ARN -> (key, kind); key -1: may assume no role
    direct: tuple[int, ...]  # per key
    reach: tuple[int, ...]  # per key: direct, and through one role
    admins: frozenset[str]  # every account's administrators (#13, without escalation)


def build_record(
    edges: AssumeEdges,
    kinds: Mapping[str, str],
    admins: Iterable[str],
    previous: tuple[str, Sequence[str]] | None = None,
) -> AccessRecord:
    """The record of one world: `edges` every role's direct assumers, `kinds` every loaded principal's kind,
    `previous` the lineage and numbering of the record before (None: a new lineage)."""
    lineage, roles = _numbering(edges.roles, previous)
    position = {arn: number for number, arn in enumerate(roles)}
    moved = [position[arn] for arn in edges.roles]
    assume = [_moved(bits, moved) for bits in edges.assume]
    unknown = [_moved(bits, moved) for bits in edges.unknown]
    rows: dict[str, int] = dict.fromkeys(kinds, 0)
    for number, named in edges.alone.items():
        bit = 1 << moved[number]
        for arn in named:
            rows[arn] = rows.get(arn, 0) | bit
    for k, signature_class in enumerate(edges.classes):
        unknown_members = {entry.arn for entry in signature_class.unknown}
        for arn in signature_class.arns:
            rows[arn] = rows.get(arn, 0) | assume[k] | (unknown[k] if arn in unknown_members else 0)
    for arn, row in rows.items():  # (a role is not its own assumer)
        own = position.get(arn)
        if own is not None and (row >> own) & 1:
            rows[arn] = row & ~(1 << own)
    keys: dict[int, int] = {}
    principals: dict[str, tuple[int, str]] = {}
    for arn in sorted(rows):
        row = rows[arn]
        key = -1 if not row else keys.setdefault(row, len(keys))
        principals[arn] = (key, kinds.get(arn, EXTERNAL))
    direct = tuple(keys)
    of_role = {position[arn]: rows[arn] for arn in edges.roles if rows.get(arn)}
    reach = tuple(_reach(row, of_role) for row in direct)
    present = from_indices(position[arn] for arn in edges.roles)
    return AccessRecord(lineage, tuple(roles), present, principals, direct, reach, frozenset(admins))


def _moved(bits: int, moved: Sequence[int]) -> int:
    """`bits` in another numbering: bit i becomes bit moved[i]."""
    return from_indices(moved[i] for i in indices(bits)) if bits else 0


def _reach(row: int, of_role: Mapping[int, int]) -> int:
    found = row
    for number in indices(row):
        found |= of_role.get(number, 0)
    return found


def _numbering(arns: Sequence[str], previous: tuple[str, Sequence[str]] | None) -> tuple[str, list[str]]:
    if previous is not None:
        lineage, roles = previous
        known = set(roles)
        kept = sum(1 for arn in arns if arn in known)
        if roles and kept * 3 >= len(roles) * 2:  # (at most a third gone)
            return lineage, [*roles, *sorted(arn for arn in arns if arn not in known)]
    return secrets.token_hex(8), sorted(arns)


def same_numbering(a: AccessRecord, b: AccessRecord) -> bool:
    """Whether the two records number roles alike (one lineage, the older's numbering a prefix of the
    newer's)."""
    shorter, longer = sorted((a.roles, b.roles), key=len)
    return a.lineage == b.lineage and longer[: len(shorter)] == shorter


def renumbered(record: AccessRecord, roles: Sequence[str]) -> AccessRecord:
    """`record` in another numbering (`roles` holding every role it numbers): slow at scale (every bit of
    every row moves), for two records of different lineages."""
    position = {arn: number for number, arn in enumerate(roles)}
    moved = [position[arn] for arn in record.roles]
    return AccessRecord(
        record.lineage, tuple(roles), _moved(record.present, moved), record.principals,
        tuple(_moved(row, moved) for row in record.direct), tuple(_moved(row, moved) for row in record.reach),
        record.admins,
    )


# ---- stored form: the format and lineage, and four gzip'd byte strings (the roles, the principals, the rows,
# and a head with `present` and the administrators)


def encode(record: AccessRecord) -> dict[str, object]:
    width = (len(record.roles) + 7) // 8
    head = json.dumps({"present": format(record.present, "x"), "admins": sorted(record.admins)},
                      separators=(",", ":"))
    principals = "\n".join(f"{arn}\t{key}\t{kind}" for arn, (key, kind) in record.principals.items())
    rows = b"".join(row.to_bytes(width, "little") for row in (*record.direct, *record.reach))
    return {
        "format": FORMAT, "lineage": record.lineage, "keys": len(record.direct), "width": width,
        "head": gzip.compress(head.encode(), 6), "roles": gzip.compress("\n".join(record.roles).encode(), 6),
        "principals": gzip.compress(principals.encode(), 6), "rows": gzip.compress(rows, 6),
    }


class RecordFormatError(ValueError):
    """A stored record this version cannot read."""


def decode(props: Mapping[str, object]) -> AccessRecord:
    if props.get("format") != FORMAT:
        raise RecordFormatError(f"access record format {props.get('format')!r}, this version reads {FORMAT}")
    head = json.loads(gzip.decompress(_bytes(props["head"])))
    roles = tuple(roles_of(props["roles"]))
    principals: dict[str, tuple[int, str]] = {}
    text = gzip.decompress(_bytes(props["principals"])).decode()
    for line in text.split("\n") if text else ():
        arn, key, kind = line.split("\t")
        principals[arn] = (int(key), kind)
    keys, width = int(props["keys"]), int(props["width"])  # type: ignore[call-overload]
    rows = gzip.decompress(_bytes(props["rows"]))
    numbers = [int.from_bytes(rows[at : at + width], "little") for at in range(0, 2 * keys * width, width)]
    return AccessRecord(
        str(props["lineage"]), roles, int(head["present"], 16), principals, tuple(numbers[:keys]),
        tuple(numbers[keys:]), frozenset(head["admins"]),
    )


def roles_of(stored: object) -> list[str]:
    """The numbering of a stored record's roles (its `roles` part)."""
    text = gzip.decompress(_bytes(stored)).decode()
    return text.split("\n") if text else []


def _bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    raise RecordFormatError(f"an access record's stored part is {type(value).__name__}, not bytes")
