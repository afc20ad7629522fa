"""whoCan and access on a loaded resource (#14): its resource policy is one more input of each decision class's
decision (docs/resource-policies.md), never a loop over principals.

The resource's account is known from the load, an S3 object ARN finds its bucket's policy and a KMS alias ARN
its key. The principals a policy names by ARN are decided on their own, like those a trust policy names
(who_can_assume.py); the others are admitted through their account, or `*`, and share decisions by account and
by what the policy's principal clauses (aws:PrincipalOrgID, aws:PrincipalTag/...) give for them. Principals
outside the loaded data (an account that is not loaded, anyone, a service) are answered as stand-ins.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial

from service.database.records import ResourceRecord
from service.database.source import GraphSource
from service.errors import InputError
from service.evaluation import Policy, Principal, Request, evaluate, parse_policy
from service.evaluation.context import RequestContext
from service.evaluation.engine import Decision, ResourceKind
from service.evaluation.formula import Cond
from service.evaluation.request import arn_account, is_account_id, parse_iam_arn, principal_from_arn
from service.evaluation.resource_policies import resource_kind
from service.evaluation.statements import compiled
from service.reachability.answers import Answers, Pending, merged
from service.reachability.classes import ExtraKey, Member, classify, is_pattern
from service.reachability.clauses import about_the_account_only, principal_clauses
from service.reachability.decide import ClassAnswers, Target, counted, decide
from service.reachability.external_access import resource_policy, restricts_public
from service.reachability.index import IndexView
from service.reachability.model import Access, NodeRef, Path, PathStep
from service.reachability.paths import identity_paths, resource_reasons, statement_json
from service.reachability.profiles import AccountEntry, OrgContext, Profile
from service.reachability.relabel import relabel, relabelling_for
from service.reachability.resource_kinds import RESOURCE_KINDS

# The services whose resource policies accessgraph loads (the list), by ARN service name.
RESOURCE_SERVICES = frozenset(("s3", "kms", "sqs", "sns", "lambda", "secretsmanager", "ecr"))
_ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def no_policy_note(resource: str) -> str | None:
    """What an answer about a resource that is not loaded says, for the services whose policies are loaded."""
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[2] not in RESOURCE_SERVICES:
        return None
    return (
        f"no resource policy of {resource} is loaded: the answer is from identity policies, boundaries, SCPs "
        "and RCPs alone"
    )


@dataclass(frozen=True)
class LoadedResource:
    """A loaded resource as a question uses it: its record, its parsed policy, how the evaluator decides it."""

    record: ResourceRecord
    policy: Policy | None
    kind: ResourceKind
    restrict_public: bool

    @property
    def account_id(self) -> str:
        return self.record.account_id

    @property
    def ref(self) -> NodeRef:
        arn = self.record.arn
        tail = arn.split(":", 5)[-1]
        name = tail.rsplit("/", 1)[-1] if "/" in tail else tail.rsplit(":", 1)[-1]
        return NodeRef(arn, RESOURCE_KINDS.get(self.record.type, "resource"), name, self.record.account_id)

    def target(self, resource: str, org: OrgContext) -> Target:
        return Target(resource, self.account_id, org, self.policy, self.kind, self.restrict_public)


def lookup_arns(resource: str) -> list[str]:
    """The ARNs the loaded resource may be kept under: the ARN itself (a KMS alias ARN finds its key), and for
    an S3 object its bucket's."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[2] == "s3" and parts[3] == parts[4] == "" and "/" in parts[5]:
        return [resource, ":".join(parts[:5]) + ":" + parts[5].split("/", 1)[0]]
    return [resource]


async def loaded_resource(source: GraphSource, resource: str) -> LoadedResource | None:
    """The loaded resource `resource` names (None for a pattern or a resource that is not loaded)."""
    if is_pattern(resource):
        return None
    records = await source.resources(lookup_arns(resource))
    if not records:
        return None
    exact = [r for r in records if r.arn == resource or resource in r.aliases]
    record = (exact or records)[0]
    return LoadedResource(record, resource_policy(record), resource_kind(record.type), restricts_public(record))


@dataclass(frozen=True)
class _Named:
    """Whom the policy's statements name: principals by ARN, accounts (by id or root ARN), and whether an Allow
    admits anyone."""

    principals: frozenset[str]
    accounts: frozenset[str]

    @property
    def every_account(self) -> frozenset[str]:
        """The accounts named, and those of the principals named."""
        return self.accounts | {account for arn in self.principals if (account := arn_account(arn))}

    everyone: bool
    services: tuple[str, ...]
    federated: tuple[str, ...]


def _named(policy: Policy) -> _Named:
    principals: set[str] = set()
    accounts: set[str] = set()
    everyone = False
    services: list[str] = []
    federated: list[str] = []
    for st in policy.statements:
        element = st.principals if st.principals is not None else st.not_principals
        if element is None:
            continue
        if st.effect == "Allow" and (st.not_principals is not None or element.everyone or "*" in element.aws):
            everyone = True
        for value in element.aws:
            if is_account_id(value):
                accounts.add(value)
                continue
            parsed = parse_iam_arn(value)
            if parsed is None:
                continue
            partition, _, account, resource = parsed
            if resource.startswith("assumed-role/"):
                principals.add(f"arn:{partition}:iam::{account}:role/{resource.split('/')[1]}")
            elif resource == "root":
                accounts.add(account)
            else:
                principals.add(value)
        if st.effect == "Allow":
            services.extend(element.service)
            federated.extend(element.federated)
    return _Named(
        frozenset(principals),
        frozenset(accounts),
        everyone,
        tuple(dict.fromkeys(services)),
        tuple(dict.fromkeys(federated)),
    )


async def who_can_resource(view: IndexView, action: str, resource: str, loaded: LoadedResource) -> Answers:
    """The principals that can do `action` on `resource` (the loaded resource or an object of it), in ARN
    order, as whoCan answers before role chains."""
    account = loaded.account_id
    org = await view.org_context(account)
    target = loaded.target(resource, org)
    policy = loaded.policy
    named = _named(policy) if policy is not None else _Named(frozenset(), frozenset(), False, (), ())
    wanted = {account, *named.every_account}
    entries = await view.entries(None if named.everyone else sorted(wanted))
    action_classes = view.action(action.lower())
    # In the resource's own account a grant to anyone needs no identity policy: every principal there is a
    # candidate (as in a trust policy).
    signature_classes = action_classes.signatures.classes(
        entries.values(), everyone_in=account if named.everyone else None
    )
    individuals = await view.profiles(sorted(named.principals))
    unmatched = {arn for arn in named.principals - individuals.keys() if arn_account(arn) in entries}
    if unmatched:
        # (A name written without its path, as an assumed-role ARN writes it: looked for in its account only.)
        accounts_of = {arn_account(arn) for arn in unmatched}
        individuals.update(_by_name((e for a, e in entries.items() if a in accounts_of), unmatched))
    paths = partial(_member_paths, loaded, same_account_alone=loaded.kind == "generic")
    answers: list[Access] = []
    for profile in individuals.values():
        decision = decide(profile, action, target)
        if (answer := ClassAnswers(None, Member(profile, {}), decision, paths, 0).answer(profile)) is not None:
            answers.append(answer)
    answers += _stand_ins(loaded, named, entries.keys(), action, resource, target)
    answers.sort(key=lambda a: a.principal.arn)
    total, pending = len(answers), []
    keys = _policy_keys(policy, action, resource, account)
    decision_classes = classify(
        action_classes.signatures,
        signature_classes,
        resource,
        keys.key,
        by_account=True,
        extra_by_account=keys.by_account,
        leave_out=frozenset(individuals),
    )
    for decision_class in decision_classes:
        representative = decision_class.representative
        decision = decide(representative.profile, action, target)
        if count := counted(decision_class, decision):
            total += count
            answers_of = ClassAnswers(decision_class, representative, decision, paths, 0)
            members = decision_class.entries(unknown_only=decision.decision != "Allowed")
            pending.append(Pending(answers_of.answer, members))
    return merged(answers, pending, total)


def _by_name(entries: Iterable[AccountEntry], wanted: Iterable[str]) -> dict[str, Profile]:
    """Named principals whose ARN is written without their path (an assumed-role ARN names no path): found
    by account, kind and name. Only paid for such names."""
    keys = {(arn_account(arn), arn.split(":", 5)[-1].split("/", 1)[0], arn.rsplit("/", 1)[-1]) for arn in wanted}
    found: dict[str, Profile] = {}
    for entry in entries:
        for profile in entry.profiles.values():
            if (profile.account_id, profile.kind, profile.name) in keys:
                found[profile.arn] = profile
    return found


@dataclass(frozen=True)
class _PolicyKeys:
    key: Callable[[Profile], ExtraKey]
    by_account: bool


def _policy_keys(policy: Policy | None, action: str, resource: str, account: str) -> _PolicyKeys:
    """What the resource policy's principal clauses give for a principal (a class key part, see classes.py);
    the same for every principal of an account when they look at nothing finer than the account."""
    statements = () if policy is None else compiled(policy, "resource").for_action(action.lower())

    def key(profile: Profile) -> ExtraKey:
        context = RequestContext(
            Request(principal=profile.principal, action=action, resource=resource, resource_account=account)
        )
        results: list[Cond] = []
        for cs in statements:
            if principal_clauses(cs, context, results):
                return ExtraKey(profile.arn)
        return ExtraKey(None, (profile.account_id == account, tuple(results)))

    if not about_the_account_only(statements):
        return _PolicyKeys(key, by_account=False)
    by_account: dict[str, ExtraKey] = {}

    def account_key(profile: Profile) -> ExtraKey:
        found = by_account.get(profile.account_id)
        if found is None:
            found = by_account[profile.account_id] = key(profile)
        return found

    return _PolicyKeys(account_key, by_account=True)


def resource_step(source: NodeRef, loaded: LoadedResource, reason_statement: int | None, sid: str | None) -> PathStep:
    where = f"statement {reason_statement}" + (f" (Sid {sid})" if sid else "")
    statement = statement_json(loaded.record.policy or "", reason_statement) if loaded.record.policy else None
    return PathStep(source, loaded.ref, "resource_policy", f"resource policy {where}", statement)


def resource_paths(
    source: NodeRef, identity: list[Path], loaded: LoadedResource, decision: Decision, *, alone: bool
) -> list[Path]:
    """Each resource-policy Allow that applies is a step from the principal to the resource. Where it grants
    alone (`alone`: within the account, not a KMS key) it is a path of its own, beside the identity grants;
    otherwise it follows the identity grant it needs."""
    steps = [resource_step(source, loaded, r.statement, r.sid) for r in resource_reasons(decision)]
    if not steps:
        return identity
    if alone or not identity:
        return [*identity, *((step,) for step in steps)]
    return [*((*path, steps[0]) for path in identity), *((step,) for step in steps[1:])]


def _member_paths(
    loaded: LoadedResource, member: Member, representative: Member, decision: Decision, *, same_account_alone: bool
) -> list[Path]:
    if member is not representative:
        decision = relabel(decision, relabelling_for(member, representative))
    profile = member.profile
    alone = same_account_alone and profile.account_id == loaded.account_id
    return resource_paths(profile.ref, identity_paths(profile, decision), loaded, decision, alone=alone)


def _stand_ins(
    loaded: LoadedResource,
    named: _Named,
    loaded_accounts: Iterable[str],
    action: str,
    resource: str,
    target: Target,
) -> list[Access]:
    """Principals the policy admits that the loaded data does not hold: decided on the resource policy with
    their own side assumed willing (and said so)."""
    loaded_set = set(loaded_accounts)
    out: list[Access] = []
    for account in sorted(named.accounts - loaded_set - {loaded.account_id}):
        who = Principal(f"arn:aws:iam::{account}:user/*", account, "user", attributes_known=False)
        ref = NodeRef(f"arn:aws:iam::{account}:root", "account", account, account)
        note = f"account {account} is not loaded: any of its principals whose own policies allow {action}"
        out += _stand_in(loaded, who, ref, note, action, resource, target, willing=True)
    for arn in sorted(named.principals):
        home = arn_account(arn)
        if home is None or home in loaded_set or home == loaded.account_id:
            continue
        try:
            who = replace(principal_from_arn(arn), attributes_known=False)
        except InputError:
            continue  # not a principal AWS could name: nothing can call as it
        ref = NodeRef(arn, who.kind, who.name, home)
        note = f"{arn} belongs to account {home}, which is not loaded: its own policies must also allow {action}"
        out += _stand_in(loaded, who, ref, note, action, resource, target, willing=True)
    if named.everyone:
        ref = NodeRef("*", "any", "anyone (any AWS principal, or anonymous)", None)
        note = "the resource policy admits anyone, anonymous callers included"
        out += _stand_in(loaded, Principal("anonymous", None, "anonymous"), ref, note, action, resource, target)
    for service in named.services:
        ref = NodeRef(service, "service", service, None)
        out += _stand_in(loaded, Principal(service, None, "service"), ref, None, action, resource, target)
    for provider in named.federated:
        home = arn_account(provider)
        ref = NodeRef(provider, "federated", provider.rsplit("/", 1)[-1], home)
        out += _stand_in(loaded, Principal(provider, home, "federated"), ref, None, action, resource, target)
    return out


def _stand_in(
    loaded: LoadedResource,
    who: Principal,
    ref: NodeRef,
    note: str | None,
    action: str,
    resource: str,
    target: Target,
    *,
    willing: bool = False,
) -> list[Access]:
    org = target.org
    identity = (parse_policy(_ALLOW_ALL, name=f"(identity policies of {ref.name}, not loaded)"),) if willing else ()
    decision = evaluate(
        Request(principal=who, action=action, resource=resource, resource_account=loaded.account_id),
        identity_policies=identity,
        resource_control_policies=(org.rcp_levels or None) if org else None,
        resource_policy=loaded.policy,
        resource_kind=loaded.kind,
        resource_in_management_account=bool(org and org.management_account_id == loaded.account_id),
        restrict_public_buckets=loaded.restrict_public,
    )
    if decision.decision != "Allowed":
        return []
    paths = tuple(resource_paths(ref, [], loaded, decision, alone=True))
    return [Access(ref, decision.condition, paths, () if note is None else (note,), 0)]
