"""Who may do one required action of a technique on one target, with the technique's request context:
whoCan's machinery (decision classes, one evaluator decision per class) with a context on the request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from service.evaluation.aws_protected import refused_by_aws
from service.evaluation.engine import Decision, evaluate
from service.evaluation.request import Request
from service.reachability.classes import DecisionClass, classify, is_pattern
from service.reachability.decide import ClassAnswers, Target, access_from, member_paths
from service.reachability.index import IndexView
from service.reachability.model import Access
from service.reachability.paths import identity_paths
from service.reachability.profiles import AccountEntry, Profile

Context = Mapping[str, tuple[str, ...]]


def decide_in_context(profile: Profile, action: str, target: Target, context: Context) -> Decision:
    """`decide` with request context: the keys a technique sets (iam:PassedToService, iam:PolicyARN...);
    every other key stays unknown, so a condition on it is kept in the answer."""
    org = target.org
    request = Request(
        principal=profile.principal,
        action=action,
        resource=target.resource,
        resource_account=target.account,
        context=context,
        resource_is_pattern=is_pattern(target.resource),
    )
    return evaluate(
        request,
        identity_policies=profile.identity_policies,
        permissions_boundaries=profile.boundary_policies,
        service_control_policies=profile.org.scp_levels or None,
        resource_control_policies=(org.rcp_levels or None) if org else None,
        resource_kind="generic",
        resource_in_management_account=bool(org and org.management_account_id == target.account),
    )


class Permitted(Mapping[str, Access]):
    """`who_may`'s answer: the principals allowed, by ARN in ARN order, each principal's answer made when
    it is read (a technique's actors are mostly counted and intersected, few are shown)."""

    __slots__ = ("_made", "_where")

    def __init__(self, where: dict[str, tuple[Callable[[Profile], Access | None], Profile]]) -> None:
        self._where = {arn: where[arn] for arn in sorted(where)}
        self._made: dict[str, Access] = {}

    def __getitem__(self, arn: str) -> Access:
        found = self._made.get(arn)
        if found is None:
            answer, profile = self._where[arn]
            made = answer(profile)
            assert made is not None, f"{arn} was counted without an answer"  # (see `counted`)
            found = self._made[arn] = made
        return found

    def __contains__(self, arn: object) -> bool:
        return arn in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def who_may(
    view: IndexView,
    entry: AccountEntry,
    action: str,
    resource: str,
    context: Context,
    leave_out: frozenset[str] = frozenset(),
    classified: list[DecisionClass] | None = None,
) -> Permitted:
    """The principals of the account that may do `action` on `resource` (a pattern: some resource it
    matches) with `context`, each with the paths of its grant; the principals of `leave_out`
    are not decided (`classified`: its decision classes, `classified_for`, when the caller has them). IAM's
    own resources take no resource policy, so only the resource's own account counts (the caller reads
    `entry` for it first)."""
    target = Target(resource, entry.account_id, entry.org, None, "generic")
    where: dict[str, tuple[Callable[[Profile], Access | None], Profile]] = {}
    decision_classes = classified
    if decision_classes is None:
        decision_classes = classified_for(view, entry, action, resource, leave_out)
    classes = view.action(action.lower())
    # (What a class's decision depends on besides its key, when nothing it reads looks at the resource itself:
    # the request context, the RCPs over the resource's account, whether AWS refuses the resource, whether it
    # is a pattern. The actor and the target are of one account.)
    facts = (
        tuple(sorted((k, tuple(v)) for k, v in context.items())),
        tuple(tuple(level) for level in entry.org.rcp_levels),
        protection.name if (protection := refused_by_aws(action, resource)) is not None else None,
        is_pattern(resource),
    )
    for decision_class in decision_classes:
        representative = decision_class.representative
        key = (decision_class.key, facts) if classes.shared.resource_independent(decision_class) else None
        kind = classes.kinds.get(key) if key is not None else None
        answer: Callable[[Profile], Access | None]
        if kind is None:
            decision = decide_in_context(representative.profile, action, target, context)
            kind = decision.decision
            if key is not None:
                classes.keep_kind(key, kind)
            answer = ClassAnswers(decision_class, representative, decision, member_paths, 0).answer
        else:
            answer = _Answers(decision_class, action, target, context)
        if kind == "Allowed" or (kind == "ImplicitlyDenied" and decision_class.unknown):
            for member in decision_class.entries(unknown_only=kind != "Allowed"):
                where[member.arn] = (answer, member.profile)
    return Permitted(where)


class _Answers:
    """A decision class's answers when the kind of its decision was known without making it (the decision of a
    class of another account with the same key, under the same facts): the decision is made for its own
    representative when an answer is first read, so that the answer is the one made without sharing."""

    __slots__ = ("_action", "_class", "_context", "_made", "_target")

    def __init__(self, decision_class: DecisionClass, action: str, target: Target, context: Context) -> None:
        self._class, self._action, self._target, self._context = decision_class, action, target, context
        self._made: Callable[[Profile], Access | None] | None = None

    def __call__(self, profile: Profile) -> Access | None:
        if self._made is None:
            representative = self._class.representative
            decision = decide_in_context(representative.profile, self._action, self._target, self._context)
            self._made = ClassAnswers(self._class, representative, decision, member_paths, 0).answer
        return self._made(profile)


def classified_for(
    view: IndexView,
    entry: AccountEntry,
    action: str,
    resource: str,
    leave_out: frozenset[str] = frozenset(),
    among: Iterable[Profile] | None = None,
) -> list[DecisionClass]:
    """`who_may`'s decision classes: the same for every request context (a context key reads the same for
    every principal), so one classification serves the technique's contexts (iam:PassedToService...). With
    `among` (candidates of the account), the classes of those principals alone."""
    classes = view.action(action.lower())
    if among is None:
        signature_classes = classes.signatures.classes([entry])
    else:
        signature_classes = classes.signatures.classes_among(entry, among)
    return classify(classes.signatures, signature_classes, resource, by_account=False, leave_out=leave_out)


def profile_may(profile: Profile, entry: AccountEntry, action: str, resource: str, context: Context) -> Access | None:
    """One principal's answer (for a resource that is the principal itself, or a changed principal)."""
    target = Target(resource, entry.account_id, entry.org, None, "generic")
    decision = decide_in_context(profile, action, target, context)
    found = access_from(profile, decision)
    if found is None:
        return None
    return Access(found.principal, found.condition, tuple(identity_paths(profile, decision)), found.notes)
