"""Actions that no statement of the snapshot tells apart share what is worked out for them.

The candidates and signature classes of an action (`ActionPolicies`, `Signatures`) read only which
statements of the principals' identity policies, boundaries and SCPs apply to the action: each statement's
`Action`/`NotAction` decides that. Two actions that every such list of the snapshot matches alike (both or
neither) get the same statements from every policy, hence the same candidates and signature classes. So they
share one `ActionClasses`, worked out for whichever came first: at 100k principals the 105 actions of the
escalation catalogue fall into 24 such groups (75 of them match nothing but `*`).

Only that is shared: every decision is still made with the question's own action, whose evaluation may read
more (its condition keys, the RCPs). `sts:AssumeRole` keeps its own classes: its shared decisions on trust
policies are kept with them (sharing.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from service.evaluation.policy import Policy
from service.evaluation.statements import ActionSet
from service.reachability.candidates import Kept
from service.reachability.profiles import ASSUME_ROLE, AccountEntry, parsed

_Lists = frozenset[tuple[str, ...]]


def _lists(policies: Iterable[Policy]) -> set[tuple[str, ...]]:
    """The Action and NotAction lists of the policies' statements (a NotAction list tells apart the same
    actions its patterns do)."""
    found: set[tuple[str, ...]] = set()
    for policy in policies:
        for statement in policy.statements:
            for patterns in (statement.actions, statement.not_actions):
                if patterns is not None:
                    found.add(patterns)
    return found


class ActionsAlike:
    """Which actions the snapshot's statements tell apart, worked out again at each revision of it."""

    def __init__(self) -> None:
        self._of_entry: dict[str, Kept[_Lists]] = {}
        self._state: tuple[int, int] | None = None
        self._sets: dict[tuple[str, ...], ActionSet] = {}  # (each list compiled once, kept across revisions)
        self._keys: dict[str, Hashable] = {}

    def key(
        self, action_lower: str, entries: Callable[[], Iterable[AccountEntry]], state: tuple[int, int]
    ) -> Hashable:
        """Equal for two actions exactly when every Action/NotAction list of the `entries` (their identity
        policies and boundaries, and their SCPs) matches both or neither; `state` names the entries (the
        snapshot's revision and rebinds): the keys are worked out anew when it changes."""
        if action_lower == ASSUME_ROLE.lower():
            return action_lower
        if state != self._state:
            self._renew(list(entries()))
            self._state = state
        found = self._keys.get(action_lower)
        if found is None:
            found = self._keys[action_lower] = frozenset(
                patterns for patterns, actions in self._sets.items() if actions.matches(action_lower)
            )
        return found

    def _renew(self, entries: list[AccountEntry]) -> None:
        every: set[tuple[str, ...]] = set()
        kept: dict[str, Kept[_Lists]] = {}
        for entry in entries:
            held = self._of_entry.get(entry.account_id)
            if held is None or held.source is not entry:
                loaded = [parsed(ref) for ref in entry.policies.values() if ref.loaded]
                scps = [policy for level in entry.org.scp_levels for policy in level]
                held = Kept(entry, frozenset(_lists(loaded) | _lists(scps)))
            kept[entry.account_id] = held
            every |= held.value
        self._of_entry = kept
        # (A key is the lists themselves, not numbers: a list that a load adds changes only the keys of the
        # actions it matches, and the others keep their classes.)
        self._sets = {patterns: self._sets.get(patterns) or ActionSet(patterns) for patterns in every}
        self._keys = {}
