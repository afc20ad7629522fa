"""What the bulk evaluation keeps: who may assume each role directly, as bits of roles per signature class."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from service.reachability.signatures import SignatureClass


@dataclass(frozen=True, slots=True)
class AssumeEdges:
    """Who may assume each role directly (Allowed, or conditionally), for one generation. Roles are numbered
    (`index`); `assume[k]` holds, as bits, the roles every member of `classes[k]` may assume, `unknown[k]`
    those that only its members holding a policy whose document is not loaded may; `alone` the assumers of a
    role decided on their own. A role may be among the members of a class that assumes it: it is not its own
    assumer (`assumers`)."""

    roles: tuple[str, ...]
    index: Mapping[str, int]
    classes: tuple[SignatureClass, ...]
    assume: tuple[int, ...]
    unknown: tuple[int, ...]
    alone: Mapping[int, frozenset[str]]

    def assumers(self, role_arn: str) -> frozenset[str]:
        """The role's direct assumers (a scan of every class: for tests and checks, not for walks)."""
        number = self.index[role_arn]
        found: set[str] = set(self.alone.get(number, ()))
        for signature_class, every, some in zip(self.classes, self.assume, self.unknown, strict=True):
            if (every >> number) & 1:
                found |= signature_class.arns
            elif (some >> number) & 1:
                found.update(entry.arn for entry in signature_class.unknown)
        found.discard(role_arn)
        return frozenset(found)

    def of_any(self, roles: int) -> set[str]:
        """Every principal that may assume one of `roles` (bits by `index`) other than itself, a walk's hop at
        once; and maybe some of those roles themselves (which a walk has found already)."""
        found: set[str] = set()
        for signature_class, every, some in zip(self.classes, self.assume, self.unknown, strict=True):
            if every & roles:
                found |= signature_class.arns
            elif some & roles:
                found.update(entry.arn for entry in signature_class.unknown)
        for number, principals in self.alone.items():
            if (roles >> number) & 1:
                found |= principals
        return found

    def bits(self) -> EdgeBits:
        """What a walk over the edges reads (reverse.py), without the signature classes: small enough to hand
        from a worker process to this one."""
        return EdgeBits(
            self.roles,
            tuple(signature_class.arns for signature_class in self.classes),
            tuple(frozenset(entry.arn for entry in signature_class.unknown) for signature_class in self.classes),
            self.assume,
            self.unknown,
            dict(self.alone),
        )


@dataclass(frozen=True, slots=True)
class EdgeBits:
    """`AssumeEdges` with each signature class's members (`members[k]`, and `unknown_members[k]`: those
    holding a policy whose document is not loaded) for the class."""

    roles: tuple[str, ...]
    members: tuple[frozenset[str], ...]
    unknown_members: tuple[frozenset[str], ...]
    assume: tuple[int, ...]
    unknown: tuple[int, ...]
    alone: Mapping[int, frozenset[str]]
    index: Mapping[str, int] = field(init=False, compare=False)  # (the number of each role)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {arn: number for number, arn in enumerate(self.roles)})


def indices(bits: int) -> list[int]:
    """The numbers of the set bits, lowest first (read off the binary digits: a loop of `bits & -bits` is
    quadratic in the width)."""
    digits = bin(bits)[:1:-1]
    found: list[int] = []
    at = digits.find("1")
    while at >= 0:
        found.append(at)
        at = digits.find("1", at + 1)
    return found


def from_indices(numbers: Iterable[int]) -> int:
    """The bits whose numbers are `numbers` (`indices` the other way), set in bytes first: or-ing each into an
    int makes a new int each time, as wide as the highest."""
    found = bytearray()
    for number in numbers:
        at = number >> 3
        if at >= len(found):
            found.extend(bytes(at + 1 - len(found)))
        found[at] |= 1 << (number & 7)
    return int.from_bytes(found, "little")


def lowest(bits: int) -> int:
    """The number of the lowest set bit."""
    return (bits & -bits).bit_length() - 1
