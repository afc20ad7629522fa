"""The credential techniques (iam-002, 003, 004, 006, 015, 018) decided from the loaded credential data of the
target user's account, and reported "possible, credential state unknown" where it does not say."""

from __future__ import annotations

import pytest

from service.database.records import AccessKeyRecord, AccountSecurityRecord, UserCredentialRecord
from service.escalation import Prerequisite, Technique
from service.reachability.escalation.steps import CREDENTIAL_STATE_KEY, AccountCredentials, UserCredentials
from service.reachability.model import Access
from service.reachability.questions import Reachability
from tests.unit.escalation.scenarios import CREDENTIAL, A, VictimCredentials, meeting, scenario, variants_of
from tests.unit.reachability.fake_source import run

VICTIM = f"arn:aws:iam::{A}:user/victim"


def _reaching(
    technique: Technique, variant: str = "applies", credentials: VictimCredentials | None = None
) -> list[Access]:
    built = scenario(technique, variant, credentials)
    answers = run(Reachability(built.source).escalations(built.attacker, max_hops=1))
    return [
        a
        for a in answers
        if a.principal.arn == built.reached and any(s.technique == technique.id for p in a.paths for s in p)
    ]


def _not_meeting(technique: Technique) -> VictimCredentials | None:
    """Credentials of the victim that fail the technique's credential prerequisite (None: it has none)."""
    prerequisites = technique.prerequisites
    if Prerequisite.ACCESS_KEY_SLOT in prerequisites:
        return VictimCredentials(access_keys=2)
    if Prerequisite.LOGIN_PROFILE_ABSENT in prerequisites:
        return VictimCredentials(login_profile=True)
    if Prerequisite.LOGIN_PROFILE_PRESENT in prerequisites:
        return VictimCredentials(login_profile=False)
    return None


def test_the_credential_techniques_are_those_the_issue_names() -> None:
    assert sorted(t.id for t in CREDENTIAL) == ["iam-002", "iam-003", "iam-004", "iam-006", "iam-015", "iam-018"]


@pytest.mark.parametrize("technique", CREDENTIAL, ids=lambda t: t.id)
def test_with_credential_data_loaded_the_technique_is_decided_without_the_unknown_condition(
    technique: Technique,
) -> None:
    (found,) = _reaching(technique, credentials=meeting(technique))
    assert found.condition is None
    assert not any("credential state unknown" in note for note in found.notes)
    if _not_meeting(technique) is not None:
        assert any(note.startswith("decided from the loaded credential data: victim has") for note in found.notes)


@pytest.mark.parametrize("technique", [t for t in CREDENTIAL if _not_meeting(t) is not None], ids=lambda t: t.id)
def test_a_user_the_data_says_fails_the_prerequisite_is_no_target(technique: Technique) -> None:
    assert not _reaching(technique, credentials=_not_meeting(technique))


@pytest.mark.parametrize(
    "technique", [t for t in CREDENTIAL if Prerequisite.ACCESS_KEY_SLOT in t.prerequisites], ids=lambda t: t.id
)
def test_one_access_key_leaves_a_slot(technique: Technique) -> None:
    (found,) = _reaching(technique, credentials=VictimCredentials(access_keys=1))
    assert found.condition is None
    assert "victim has 1 access key" in " ".join(found.notes)


def test_deleting_a_key_frees_a_slot_so_two_keys_do_not_stop_iam_003() -> None:
    (technique,) = [t for t in CREDENTIAL if t.id == "iam-003"]
    (found,) = _reaching(technique, credentials=VictimCredentials(access_keys=2))
    assert found.condition is None


@pytest.mark.parametrize("technique", CREDENTIAL, ids=lambda t: t.id)
def test_a_user_the_loaded_report_predates_is_possible_credential_state_unknown(technique: Technique) -> None:
    (found,) = _reaching(technique, credentials=VictimCredentials(in_report=False))
    if _not_meeting(technique) is None:  # (iam-003 needs no credential fact: decided all the same)
        assert found.condition is None
        return
    assert found.condition is not None and CREDENTIAL_STATE_KEY in str(found.condition_text)
    assert any("credential state unknown" in note for note in found.notes)


@pytest.mark.parametrize(
    ("technique", "variant"),
    [(t, v) for t in CREDENTIAL for v in variants_of(t)],
    ids=lambda x: x if isinstance(x, str) else x.id,
)
def test_with_credential_data_loaded_a_negative_control_still_refuses(technique: Technique, variant: str) -> None:
    assert not _reaching(technique, variant, meeting(technique))


@pytest.mark.parametrize(
    ("technique", "variant"),
    [(t, v) for t in CREDENTIAL for v in variants_of(t)],
    ids=lambda x: x if isinstance(x, str) else x.id,
)
def test_without_credential_data_a_negative_control_refuses_too(technique: Technique, variant: str) -> None:
    assert not _reaching(technique, variant)


def _user(name: str, *, keys: int, password: bool | None, in_report: bool) -> UserCredentialRecord:
    return UserCredentialRecord(
        f"arn:aws:iam::{A}:user/{name}",
        name,
        False,
        "2025-01-01T00:00:00+00:00" if in_report else None,
        password,
        None,
        False,
        None,
        None,
        (),
        tuple(AccessKeyRecord(f"AKIA{name.upper()}{n:012d}", None, True, None, None, None) for n in range(keys)),
    )


def _record(
    *users: UserCredentialRecord, report: bool, snapshot: bool, refused: tuple[str, ...] = ()
) -> AccountSecurityRecord:
    return AccountSecurityRecord(
        A,
        "2026-02-01T00:00:00+00:00" if report else None,
        snapshot,
        None,
        {},
        users,
        (),
        (),
        {part: "AccessDenied" for part in refused},
    )


def test_a_security_snapshot_lists_every_key_so_a_user_it_does_not_name_has_none() -> None:
    credentials = AccountCredentials(
        _record(_user("keyed", keys=2, password=None, in_report=False), report=False, snapshot=True)
    )
    assert credentials.of(f"arn:aws:iam::{A}:user/keyed") == UserCredentials(2, None)
    assert credentials.of(f"arn:aws:iam::{A}:user/other") == UserCredentials(0, None)


def test_keys_aws_refused_to_the_snapshot_are_unknown_unless_the_report_has_the_user() -> None:
    snapshot_only = AccountCredentials(
        _record(
            _user("mfa", keys=0, password=True, in_report=False), report=False, snapshot=True, refused=("AccessKeys",)
        )
    )
    assert snapshot_only.of(f"arn:aws:iam::{A}:user/mfa") == UserCredentials(None, True)
    assert snapshot_only.of(f"arn:aws:iam::{A}:user/other") == UserCredentials(None, None)
    both = AccountCredentials(
        _record(
            _user("row", keys=1, password=False, in_report=True), report=True, snapshot=True, refused=("AccessKeys",)
        )
    )
    assert both.of(f"arn:aws:iam::{A}:user/row") == UserCredentials(1, False)


def test_a_user_without_a_row_of_the_report_is_unknown() -> None:
    credentials = AccountCredentials(
        _record(_user("row", keys=0, password=False, in_report=True), report=True, snapshot=False)
    )
    assert credentials.of(f"arn:aws:iam::{A}:user/row") == UserCredentials(0, False)
    assert credentials.of(f"arn:aws:iam::{A}:user/newer") == UserCredentials(None, None)


@pytest.mark.parametrize(
    ("facts", "prerequisite", "met"),
    [
        (UserCredentials(0, None), Prerequisite.ACCESS_KEY_SLOT, True),
        (UserCredentials(1, None), Prerequisite.ACCESS_KEY_SLOT, True),
        (UserCredentials(2, None), Prerequisite.ACCESS_KEY_SLOT, False),
        (UserCredentials(None, None), Prerequisite.ACCESS_KEY_SLOT, None),
        (UserCredentials(None, False), Prerequisite.LOGIN_PROFILE_ABSENT, True),
        (UserCredentials(None, True), Prerequisite.LOGIN_PROFILE_ABSENT, False),
        (UserCredentials(None, True), Prerequisite.LOGIN_PROFILE_PRESENT, True),
        (UserCredentials(None, False), Prerequisite.LOGIN_PROFILE_PRESENT, False),
        (UserCredentials(0, None), Prerequisite.LOGIN_PROFILE_PRESENT, None),
    ],
)
def test_what_the_data_says_decides_each_credential_prerequisite(
    facts: UserCredentials, prerequisite: Prerequisite, met: bool | None
) -> None:
    assert facts.meets(prerequisite) is met


def test_a_credential_load_after_a_question_is_read_by_the_next_one() -> None:
    """A credential report's load leaves the generation as it was: the escalation graph and the answers key on
    the loaded reports too, so the same index answers from the new data (it kept the old answer before)."""
    (technique,) = [t for t in CREDENTIAL if t.id == "iam-002"]
    unknown = scenario(technique, credentials=None)
    full = scenario(technique, credentials=VictimCredentials(access_keys=2))
    reachability = Reachability(unknown.source)

    def reaching() -> list[Access]:
        answers = run(reachability.escalations(unknown.attacker, max_hops=1))
        return [a for a in answers if a.principal.arn == unknown.reached]

    (before,) = reaching()
    assert any("credential state unknown" in note for note in before.notes)
    unknown.source.security = full.source.security  # (the report is loaded: the victim has both keys)
    assert not reaching()
