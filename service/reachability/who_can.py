"""whoCan: the principals whose effective permissions allow an action on a resource (without a resource
policy: none is loaded for a generic resource), and with hops, those that reach one through role chains."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from service.errors import QueryError
from service.evaluation.request import arn_account
from service.reachability.answers import Pending, merged
from service.reachability.classes import classify, is_pattern
from service.reachability.decide import ClassAnswers, Target, counted, decide, member_paths
from service.reachability.handback import HandBack
from service.reachability.model import Access
from service.reachability.profiles import ASSUME_ROLE, Profile
from service.reachability.resources import loaded_resource, no_policy_note, who_can_resource
from service.reachability.signatures import SignatureClass
from service.reachability.who_can_assume import Assumers


async def who_can(
    assumers: Assumers, action: str, resource: str, max_hops: int, resource_account: str | None
) -> Sequence[Access]:
    role = await assumers.role(resource) if is_assume(action) else None
    if role is not None:
        first = await assumers.direct(role.arn)
        return await assumers.chains(first, 2, max_hops + 1, frozenset({role.arn}))
    view = assumers.view
    loaded = await loaded_resource(view.source, resource)
    if loaded is not None:
        _check_account(resource, loaded.account_id, resource_account)
        return await assumers.chains(await who_can_resource(view, action, resource, loaded), 1, max_hops)
    resource_account = resource_account_of(resource, resource_account)
    resource_org = await view.org_context(resource_account) if resource_account else None
    # Without a resource policy (none is loaded for a generic resource) only principals of the resource's
    # own account can be allowed. A resource whose ARN names no account (an S3 object) and that comes
    # without `resource_account` is taken to be in each caller's own account: every account's candidates count.
    entries = await view.entries([resource_account] if resource_account else None)
    classes = view.action(action.lower())
    target = Target(resource, resource_account, resource_org, None, "generic")
    note = pattern_note(resource)
    if note is None and (unknown := no_policy_note(resource)) is not None and await view.resources_loaded():
        note = unknown
    total, pending = 0, []
    # (every account's candidates, one account at a time: at 100k principals, those of an action no question
    # asked about yet took seconds, in which the API answered nothing else; handback.py)
    hand_back = HandBack()
    signature_classes: list[SignatureClass] = []
    for entry in entries.values():
        signature_classes += classes.signatures.classes([entry])
        await hand_back()
    for decision_class in classify(classes.signatures, signature_classes, resource, by_account=False):
        await hand_back()
        representative = decision_class.representative
        decision = decide(representative.profile, action, target)
        if count := counted(decision_class, decision):
            total += count
            answers = ClassAnswers(decision_class, representative, decision, member_paths, 0)
            members = decision_class.entries(unknown_only=decision.decision != "Allowed")
            answer = answers.answer if note is None else _noted(answers.answer, note)
            pending.append(Pending(answer, members))
    found = await assumers.chains(merged([], pending, total), 1, max_hops)
    if note is None or max_hops == 0:
        return found
    # (Principals reached through roles carry the notes of the trust they assume by, not of the question.)
    return [access if note in access.notes else with_note(access, note) for access in found]


def pattern_note(resource: str) -> str | None:
    """What an answer about a resource pattern says it is about."""
    if not is_pattern(resource):
        return None
    return f"about resources matching the pattern {resource}: the answer holds for at least one of them"


def with_note(access: Access, note: str) -> Access:
    return replace(access, notes=(*access.notes, note))


def _noted(answer: Callable[[Profile], Access | None], note: str) -> Callable[[Profile], Access | None]:
    def noted(profile: Profile) -> Access | None:
        found = answer(profile)
        return None if found is None else with_note(found, note)

    return noted


def _check_account(resource: str, loaded_in: str, given: str | None) -> None:
    if given is not None and given != loaded_in:
        raise QueryError(f"{resource} is loaded in account {loaded_in}, not {given}")


def is_assume(action: str) -> bool:
    return action.lower().startswith(ASSUME_ROLE.lower())


def resource_account_of(resource: str, given: str | None) -> str | None:
    """The resource's account: from its ARN, else as given (an S3 bucket's ARN names no account)."""
    named = arn_account(resource)
    if given is not None:
        if not (len(given) == 12 and given.isdigit()):
            raise QueryError(f"resourceAccount must be a 12-digit account id, not {given!r}")
        if named and named != given:
            raise QueryError(f"{resource} is in account {named}, not {given}")
    return named or given
