"""Target classes (a required action decided once for the targets no statement tells apart), the escalation
index built ahead of the first question, and the walk's shortcuts: answers as if each target and each
principal were decided on its own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.evaluation.wildcards import has_wildcard, resource_matches
from service.reachability.escalation.admitting import admitted_actor_accounts, trust_admits
from service.reachability.escalation.graph import build_escalation_index
from service.reachability.escalation.targets import TargetClasses
from service.reachability.index import PrincipalIndex
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, deny, run, trusting

A = "111122223333"
B = "444455556666"
PUT = "iam:PutRolePolicy"
UPDATE_TRUST = "iam:UpdateAssumeRolePolicy"


def _classes(a: FakeAccount, organization: FakeOrganization | None = None) -> TargetClasses:
    source = FakeSource(a, organization=organization)
    index = PrincipalIndex()
    view = index.view(source)
    entries = run(view.entries(None))
    return TargetClasses(entries[a.id])


def test_targets_matched_by_the_same_patterns_of_the_statements_about_the_action_share_a_class() -> None:
    a = FakeAccount(A)
    roles = {name: a.role(name) for name in ("app-1", "app-2", "other-1", "other-2", "special", "locked-1")}
    a.user("dev", [a.policy("Put", allow(PUT, a.arn("role", "app-*")), allow(PUT, roles["special"]))])
    a.user("ops", [a.policy("Get", allow("iam:GetRole", a.arn("role", "other-1")))])
    organization = FakeOrganization("o-1", A, {A: ["r-root", A]})
    organization.attach("r-root", "Everything", allow("*"))
    organization.attach(A, "Locked", deny(PUT, a.arn("role", "locked-*")))
    classes = _classes(a, organization)

    def key(role: str, action: str = PUT) -> object:
        return classes.key(action, roles[role])

    assert key("app-1") == key("app-2") != key("other-1")
    assert key("other-1") == key("other-2") != key("locked-1")
    assert key("special") not in (key("app-1"), key("other-1"))
    # Statements about another action tell nothing apart here, and the reverse.
    assert key("app-1", "iam:GetRole") == key("special", "iam:GetRole") == key("locked-1", "iam:GetRole")
    assert key("other-1", "iam:GetRole") != key("other-2", "iam:GetRole")


def test_a_target_a_policy_variable_could_match_is_a_class_of_its_own() -> None:
    a = FakeAccount(A)
    alice, bob = a.role("alice"), a.role("bob")
    a.user("dev", [a.policy("Own", allow(PUT, a.arn("role", "${aws:username}")))])
    classes = _classes(a)
    assert classes.key(PUT, alice) != classes.key(PUT, bob)


def test_each_target_of_a_class_gets_its_own_answer_and_a_statement_naming_one_tells_it_apart() -> None:
    a = FakeAccount(A)
    roles = [a.role(f"app-{n}", [a.policy(f"S3-{n}", allow("s3:GetObject"))]) for n in range(3)]
    a.user(
        "rewriter",
        [a.policy("Rewrite", allow(UPDATE_TRUST, a.arn("role", "app-*")), deny(UPDATE_TRUST, roles[2]))],
    )
    source = FakeSource(a)
    index = PrincipalIndex()
    rewriter = a.arn("user", "rewriter")
    for role in roles:
        answers = run(Reachability(source, index).who_can_assume(role, 1, escalation=True))
        found = [x for x in answers if x.principal.arn == rewriter]
        if role == roles[2]:
            assert not found
            continue
        (step,) = found[0].paths[0]
        assert (step.technique, step.target.arn) == ("iam-012", role)
        assert step.via is not None and f"{UPDATE_TRUST} on {role}" in step.via


def test_the_escalation_index_built_ahead_serves_the_questions_of_its_generation() -> None:
    a = FakeAccount(A)
    target = a.role("target", [a.policy("Admin", allow("*"))])
    a.user("rewriter", [a.policy("Rewrite", allow(UPDATE_TRUST, target))])
    source = FakeSource(a)
    index = PrincipalIndex()
    run(build_escalation_index(index, source))
    source.reads.clear()
    answers = run(Reachability(source, index).admins(A))
    assert [x.principal.arn for x in answers] == [target, a.arn("user", "rewriter")]
    assert source.reads["account_groups"] == 0  # (read once per account, by the build)
    a.load_id = "load-2"  # a new generation: built again, by the question that needs it
    run(Reachability(source, index).admins(A))
    assert source.reads["account_groups"] > 0


def test_admins_of_an_account_still_finds_a_way_back_through_another_account() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    bridge = b.arn("role", "bridge")
    admin = a.role("admin", [a.policy("Admin", allow("*"))], trust=trusting({"AWS": bridge}))
    user = a.user("dev", [a.policy("Go", allow("sts:AssumeRole", bridge))])
    b.role("bridge", [b.policy("Hop", allow("sts:AssumeRole", admin))], trust=trusting({"AWS": user}))
    b.user("visitor", [b.policy("Go", allow("sts:AssumeRole", admin))])
    a.role("plain", trust=trusting({"AWS": b.arn("user", "visitor")}))
    answers = run(Reachability(FakeSource(a, b)).admins(A))
    assert [(x.principal.arn, x.hops) for x in answers] == [(admin, 0), (user, 2)]
    assert [s.target.arn for s in answers[1].paths[0] if s.kind == "assumes"] == [bridge, admin]


def test_a_trust_policy_admits_its_account_what_it_names_and_anyone_only_when_it_names_anyone() -> None:
    a, b, c = FakeAccount(A), FakeAccount(B), FakeAccount("777788889999")
    visitor, stranger = b.user("visitor"), c.user("stranger")
    by_account = a.role("by-account", trust=trusting({"AWS": f"arn:aws:iam::{B}:root"}))
    by_name = a.role("by-name", trust=trusting({"AWS": visitor}))
    anyone = a.role("anyone", trust=trusting({"AWS": "*"}))
    for_service = a.role("for-service", trust=trusting({"Service": "ec2.amazonaws.com"}))
    # (an ARN the graph does not hold, a placeholder: a principal of its account may hold it, no other)
    gone_here = a.role("gone-here", trust=trusting({"AWS": a.arn("role", "AWSServiceRoleForSupport")}))
    gone_there = a.role("gone-there", trust=trusting({"AWS": b.arn("role", "deleted")}))
    local = a.user("local")
    source = FakeSource(a, b, c)
    view = PrincipalIndex().view(source)
    profiles = run(view.profiles([visitor, stranger, local]))

    def admitted(role_arn: str) -> list[str]:
        role = run(view.role(role_arn))
        assert role is not None
        targets = run(view.trust_targets(role_arn))
        admits = trust_admits(role, targets)
        found = sorted(arn for arn, profile in profiles.items() if admits(profile))
        # (a walk decides the gains of these accounts' principals alone: every one admitted is of one of them)
        accounts = admitted_actor_accounts(role, targets)
        assert accounts is None or {profiles[arn].account_id for arn in found} <= accounts
        return found

    def accounts_of(role_arn: str) -> frozenset[str] | None:
        role = run(view.role(role_arn))
        assert role is not None
        return admitted_actor_accounts(role, run(view.trust_targets(role_arn)))

    assert admitted(by_account) == admitted(by_name) == sorted([local, visitor])
    assert admitted(anyone) == sorted([local, visitor, stranger])
    assert admitted(for_service) == admitted(gone_here) == [local]
    assert admitted(gone_there) == sorted([local, visitor])
    assert accounts_of(by_account) == accounts_of(by_name) == accounts_of(gone_there) == {A, B}
    assert accounts_of(for_service) == accounts_of(gone_here) == {A}
    assert accounts_of(anyone) is None


def test_a_pattern_of_targets_never_shares_a_class_with_a_target() -> None:
    a = FakeAccount(A)
    role = a.role("app-1")
    a.user("dev", [a.policy("Put", allow(PUT, a.arn("role", "app-*")))])
    classes = _classes(a)
    pattern = a.arn("role", "*")
    assert classes.key(PUT, pattern) not in (classes.key(PUT, role), classes.key(PUT, a.arn("role", "other")))


def test_a_target_aws_refuses_to_change_never_shares_a_class_with_one_it_does_not() -> None:
    a = FakeAccount(A)
    plain = a.role("plain")
    linked = a.arn("role", "aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport")
    a.user("admin", [a.policy("Admin", allow("*"))])
    classes = _classes(a)
    assert classes.key(UPDATE_TRUST, plain) != classes.key(UPDATE_TRUST, linked)
    assert classes.key("iam:GetRole", plain) == classes.key("iam:GetRole", linked)


@settings(max_examples=300, deadline=None)
@given(
    patterns=st.lists(st.text(alphabet="ab:/*?", min_size=1, max_size=6), min_size=1, max_size=8),
    arns=st.lists(st.text(alphabet="ab:/", max_size=7), min_size=1, max_size=5),
)
def test_the_wildcard_patterns_matching_a_target_are_those_that_match_it_one_by_one(
    patterns: list[str], arns: list[str]
) -> None:
    """`_Patterns.matching` looks the patterns ending in their only `*` up by the target's starts, and tests
    the others one by one: the same patterns as testing each (`resource_matches`)."""
    a = FakeAccount(A)
    a.user("dev", [a.policy("Put", allow(PUT, [f"arn:{p}" for p in patterns]))])
    classes = _classes(a)
    for arn in arns:
        target = f"arn:{arn}"
        if target in {f"arn:{p}" for p in patterns if not has_wildcard(p)}:
            assert classes.key(PUT, target) == ("own", target)  # (named exactly: a class of its own)
            continue
        matched = frozenset(f"arn:{p}" for p in patterns if has_wildcard(p) and resource_matches(f"arn:{p}", target))
        assert classes.key(PUT, target) == ("by-patterns", matched, None)
