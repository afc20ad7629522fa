"""whoCan and access on loaded resources (#14), each test naming the AWS documentation it follows: the resource
policy is one more input of each decision class's decision (docs/resource-policies.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.database.records import PublicAccessBlockRecord, ResourceRecord
from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, deny, document, run

A, B, C = "111111111111", "222222222222", "333333333333"
ORG = "o-aaaa1111"
BUCKET = "arn:aws:s3:::reports"
OBJECT = f"{BUCKET}/2024/q1.csv"
KEY = f"arn:aws:kms:us-east-1:{A}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = f"arn:aws:kms:us-east-1:{A}:alias/reports"
QUEUE = f"arn:aws:sqs:us-east-1:{A}:orders"
RESTRICT = PublicAccessBlockRecord(True, True, True, True)


def granted(
    principal: Any, action: str = "s3:GetObject", resource: str = f"{BUCKET}/*", **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def bucket(*statements: dict[str, Any], **extra: Any) -> ResourceRecord:
    return ResourceRecord(BUCKET, "AWS::S3::Bucket", A, "us-east-1", document(*statements), **extra)


def accounts() -> tuple[FakeAccount, FakeAccount]:
    a, b = FakeAccount(A), FakeAccount(B)
    a.user("alice")  # no policy at all
    a.user("reader", [a.policy("Read", allow("s3:GetObject"))])
    reads_b = b.policy("Read", allow(["s3:GetObject", "kms:Decrypt"]))
    b.user("carol", [reads_b])
    b.user("dave")  # no policy
    b.role("etl", [reads_b])
    b.role("other", [reads_b])
    return a, b


def arns(answers: Sequence[Access]) -> list[str]:
    return [x.principal.arn for x in answers]


def who_can(source: FakeSource, action: str = "s3:GetObject", resource: str = OBJECT, **kw: Any) -> Sequence[Access]:
    return run(Reachability(source).who_can(action, resource, **kw))


def test_a_foreign_account_root_delegates_its_users_need_their_own_allow() -> None:
    """IAM UG, "Cross-account policy evaluation logic": both sides must allow; naming the account root delegates
    to that account's identity policies."""
    a, b = accounts()
    source = FakeSource(a, b, resources=[bucket(granted({"AWS": f"arn:aws:iam::{B}:root"}))])
    answers = who_can(source)
    assert arns(answers) == [
        a.arn("user", "reader"),
        b.arn("role", "etl"),
        b.arn("role", "other"),
        b.arn("user", "carol"),
    ]
    carol = answers[-1]
    assert [step.kind for step in carol.paths[0]] == ["has_policy", "resource_policy"]
    step = carol.paths[0][-1]
    assert (step.target.arn, step.target.kind) == (BUCKET, "s3-bucket") and '"Principal"' in (step.statement or "")


def test_a_foreign_role_named_directly_still_needs_its_identity_allow() -> None:
    """IAM UG, "Cross-account policy evaluation logic"."""
    a, b = accounts()
    b.role("bare")  # named, but its own policies allow nothing
    named = [b.arn("role", "etl"), b.arn("role", "bare")]
    source = FakeSource(a, b, resources=[bucket(granted({"AWS": named}))])
    assert arns(who_can(source)) == [a.arn("user", "reader"), b.arn("role", "etl")]


def test_a_same_account_user_granted_only_by_the_bucket_policy() -> None:
    """IAM UG, "Policy evaluation logic" > resource-based policies: naming the user grants without an identity
    Allow."""
    a, b = accounts()
    source = FakeSource(a, b, resources=[bucket(granted({"AWS": a.arn("user", "alice")}))])
    answers = who_can(source)
    assert arns(answers) == [a.arn("user", "alice"), a.arn("user", "reader")]
    assert [[step.kind for step in path] for path in answers[0].paths] == [["resource_policy"]]
    # No resourceAccount: the loaded bucket's account is known, so B's readers are not taken to be in theirs.
    assert b.arn("user", "carol") not in arns(answers)


def test_a_bucket_deny_removes_an_identity_allow() -> None:
    """IAM UG, "Policy evaluation logic": an explicit Deny in any policy wins."""
    a, b = accounts()
    no = {"Effect": "Deny", "Principal": {"AWS": a.arn("user", "reader")}, "Action": "s3:*", "Resource": f"{BUCKET}/*"}
    assert arns(who_can(FakeSource(a, b, resources=[bucket(no)]))) == []


def test_a_kms_key_without_the_iam_statement_ignores_iam_allows() -> None:
    """KMS Developer Guide, "Default key policy": IAM policies count only when the key policy allows the account."""
    a, b = accounts()
    a.user("keyuser", [a.policy("Kms", allow("kms:*"))])
    admins = document(granted({"AWS": a.arn("user", "alice")}, "kms:*", "*"))
    key = ResourceRecord(KEY, "AWS::KMS::Key", A, "us-east-1", admins, aliases=(ALIAS,))
    assert arns(who_can(FakeSource(a, b, resources=[key]), "kms:Decrypt", KEY)) == [a.arn("user", "alice")]
    enabled = document(granted({"AWS": f"arn:aws:iam::{A}:root"}, "kms:*", "*"))
    key = ResourceRecord(KEY, "AWS::KMS::Key", A, "us-east-1", enabled, aliases=(ALIAS,))
    # Asked by its alias ARN, the key's policy decides.
    assert arns(who_can(FakeSource(a, b, resources=[key]), "kms:Decrypt", ALIAS)) == [a.arn("user", "keyuser")]


def test_a_public_bucket_with_and_without_block_public_access() -> None:
    """S3 UG, "Blocking public access" > RestrictPublicBuckets: only the bucket owner's account and AWS services
    keep access through a public policy."""
    a, b = accounts()
    public = granted("*")
    open_answers = who_can(FakeSource(a, b, resources=[bucket(public)]))
    assert "*" in arns(open_answers) and b.arn("user", "carol") in arns(open_answers)
    assert a.arn("user", "alice") in arns(open_answers)  # same account: "*" grants without an identity Allow
    restricted = who_can(FakeSource(a, b, resources=[bucket(public, account_public_access_block=RESTRICT)]))
    assert arns(restricted) == [a.arn("user", "alice"), a.arn("user", "reader")]


def test_a_queue_open_to_a_service_with_and_without_source_arn() -> None:
    """IAM UG, "The confused deputy problem": aws:SourceArn is reported, never guessed."""
    a, b = accounts()
    topic = f"arn:aws:sns:us-east-1:{A}:orders"
    bare = granted({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", QUEUE)
    record = ResourceRecord(QUEUE, "AWS::SQS::Queue", A, "us-east-1", document(bare))
    [sns] = who_can(FakeSource(a, b, resources=[record]), "sqs:SendMessage", QUEUE)
    assert (sns.principal.arn, sns.principal.kind, sns.condition) == ("sns.amazonaws.com", "service", None)
    guarded = {**bare, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}
    record = ResourceRecord(QUEUE, "AWS::SQS::Queue", A, "us-east-1", document(guarded))
    [sns] = who_can(FakeSource(a, b, resources=[record]), "sqs:SendMessage", QUEUE)
    assert sns.condition_text == f'aws:SourceArn ArnEquals "{topic}"'
    assert [step.kind for step in sns.paths[0]] == ["resource_policy"]


def test_an_rcp_that_denies_outside_the_organization() -> None:
    """Organizations UG, "Resource control policies": a Deny in the resource account's RCPs wins."""
    a, b = accounts()
    c = FakeAccount(C)
    c.user("mallory", [c.policy("Read", allow("s3:GetObject"))])
    # (The management account is another: RCPs do not apply to resources in the management account.)
    org = FakeOrganization(ORG, "999999999999", accounts={A: ["r-root", A], B: ["r-root", B]})
    for level in ("r-root", A, B):
        org.attach(level, f"full-{level}", allow("*"))
    org.attach(
        "r-root",
        "outside-org",
        deny("s3:*", Principal="*", Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}),
        kind="RESOURCE_CONTROL_POLICY",
    )
    policy = granted({"AWS": [f"arn:aws:iam::{B}:root", f"arn:aws:iam::{C}:root"]})
    answers = arns(who_can(FakeSource(a, b, c, organization=org, resources=[bucket(policy)])))
    assert b.arn("user", "carol") in answers and c.arn("user", "mallory") not in answers


def test_a_foreign_account_that_is_not_loaded_is_a_stand_in() -> None:
    a, _ = accounts()
    answers = who_can(FakeSource(a, resources=[bucket(granted({"AWS": B}))]))
    stand_in = next(x for x in answers if x.principal.kind == "account")
    assert stand_in.principal.arn == f"arn:aws:iam::{B}:root" and "not loaded" in stand_in.notes[0]


def test_a_named_principal_of_an_account_not_loaded_is_a_stand_in() -> None:
    a, _ = accounts()
    etl = f"arn:aws:iam::{B}:role/etl"
    answers = who_can(FakeSource(a, resources=[bucket(granted({"AWS": etl}))]))
    stand_in = next(x for x in answers if x.principal.arn == etl)
    assert stand_in.principal.kind == "role" and "not loaded" in stand_in.notes[0]
    assert [step.kind for step in stand_in.paths[0]] == ["resource_policy"]
    assert not any(x.principal.kind == "account" for x in answers)  # the role is named, not its account


def test_access_decides_on_the_loaded_resource() -> None:
    a, b = accounts()
    source = FakeSource(a, b, resources=[bucket(granted({"AWS": a.arn("user", "alice")}))])
    found = run(Reachability(source).access(a.arn("user", "alice"), "s3:GetObject", OBJECT))
    assert found.decision.decision == "Allowed"
    assert any(r.policy_type == "resource" and r.effect == "Allow" for r in found.decision.explanation)


def test_a_resource_not_loaded_is_answered_as_before_with_a_note() -> None:
    a, b = accounts()
    other = "arn:aws:s3:::elsewhere/x"
    with_resources = who_can(FakeSource(a, b, resources=[bucket(granted("*"))]), resource=other, resource_account=A)
    without = who_can(FakeSource(a, b), resource=other, resource_account=A)
    assert arns(with_resources) == arns(without) == [a.arn("user", "reader")]
    assert without[0].notes == () and "no resource policy" in with_resources[0].notes[-1]


def test_many_principals_of_a_foreign_account_share_one_class_decision() -> None:
    """The resource policy is an input of the class decision: principals alike in account B get one decision,
    each with its own paths."""
    a, b = accounts()
    reads = b.policy("Read2", allow("s3:GetObject"))
    for n in range(40):
        b.user(f"u{n:02}", [reads])
    source = FakeSource(a, b, resources=[bucket(granted({"AWS": B}))])
    answers = who_can(source)
    users = [x for x in answers if x.principal.arn.startswith(f"arn:aws:iam::{B}:user/u")]
    assert len(users) == 40
    assert all(x.paths[0][0].target.name == "Read2" and x.paths[0][-1].kind == "resource_policy" for x in users)


def _varied() -> tuple[FakeSource, list[str]]:
    a, b = accounts()
    c = FakeAccount(C)
    for account in (a, b, c):
        read = account.policy("ReadAll", allow("s3:*"))
        tagged = account.policy(
            "Tagged", allow("s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}})
        )
        for n in range(3):
            account.user(f"red{n}", [tagged], tags={"team": "red"})
            account.user(f"blue{n}", [read], tags={"team": "blue"})
            account.role(f"r{n}", [read], boundary=account.policy(f"Bound{n}", allow("s3:List*")) if n == 2 else None)
    org = FakeOrganization(ORG, "999999999999", accounts={A: ["r-root", A], B: ["r-root", B]})
    policy = bucket(
        granted("*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}),
        granted({"AWS": [c.arn("user", "blue1"), a.arn("role", "r2"), f"arn:aws:iam::{C}:root"]}, "s3:PutObject"),
        granted({"AWS": "*"}, "s3:GetObject", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}),
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [f"arn:aws:iam::{B}:root", b.arn("user", "red1")]},
            "Action": "s3:DeleteObject",
            "Resource": f"{BUCKET}/*",
        },
        granted({"AWS": "*"}, "s3:DeleteObject", Condition={"Bool": {"aws:SecureTransport": "true"}}),
    )
    source = FakeSource(a, b, c, organization=org, resources=[policy])
    principals = [arn for account in (a, b, c) for arn in account.principals]
    return source, principals


def test_class_decisions_equal_one_decision_per_principal() -> None:
    """Every whoCan answer on a loaded bucket (classes, with the policy as one input) is what `access` decides
    for that principal alone, condition included; and nobody `access` allows is missing."""
    source, principals = _varied()
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"):
        answers = {x.principal.arn: x for x in who_can(source, action) if x.principal.arn.startswith("arn:aws:iam")}
        for arn in principals:
            decision = run(Reachability(source).access(arn, action, OBJECT)).decision
            if decision.decision == "Allowed":
                assert arn in answers, (action, arn)
                assert answers[arn].condition_text == (decision.describe() or None), (action, arn)
            else:
                assert arn not in answers, (action, arn, answers[arn].condition_text)


def test_a_resource_only_reload_renews_remembered_answers() -> None:
    """Answers are remembered per generation: a resource load is part of it, so a bucket policy reloaded
    without its account's IAM answers anew (the process-wide index keeps serving the API between loads)."""
    from service.reachability.index import PrincipalIndex

    a, b = accounts()
    source = FakeSource(a, b, resources=[bucket(granted({"AWS": f"arn:aws:iam::{B}:root"}))])
    index = PrincipalIndex()
    before = run(Reachability(source, index).who_can("s3:GetObject", OBJECT))
    assert f"arn:aws:iam::{B}:user/carol" in arns(before)
    source.resource_records = {BUCKET: bucket(granted({"AWS": f"arn:aws:iam::{C}:root"}))}
    after = run(Reachability(source, index).who_can("s3:GetObject", OBJECT))
    assert f"arn:aws:iam::{B}:user/carol" not in arns(after)
