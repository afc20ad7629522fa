"""The shipped catalogue: it loads, covers issue #13's list, and its entries are consistent."""

from __future__ import annotations

import re

import pytest

from service.escalation import (
    CatalogueError,
    Evidence,
    Gain,
    Placeholder,
    PolicyOrigin,
    Prerequisite,
    TargetKind,
    load_catalogue,
    parse_catalogue,
    placeholder_of,
)

# Issue #13: the IAM-only paths, the credential ones (kept, decided once credential data is loaded), and the
# PassRole-to-a-new-resource paths IAM data decides.
IAM_ONLY = [f"iam-{n:03d}" for n in range(1, 22) if n not in (2, 3, 4, 6, 15, 18)] + ["sts-001"]
CREDENTIAL = ["iam-002", "iam-003", "iam-004", "iam-006", "iam-015", "iam-018"]
PASS_ROLE = [
    "ec2-001", "ec2-003", "lambda-001", "lambda-006", "cloudformation-001", "cloudformation-003",
    "codebuild-001", "codebuild-004", "sagemaker-001", "sagemaker-002", "sagemaker-003", "ssm-003",
    "ecs-001", "ecs-002", "glue-001", "glue-003", "glue-004", "glue-007", "apprunner-001",
    "bedrock-001", "bedrock-003", "bedrock-005", "bedrock-006", "batch-003", "datapipeline-001",
    "braket-001", "emr-001", "emrserverless-001", "gamelift-001", "imagebuilder-001",
    "kinesisanalytics-001", "omics-001",
]  # fmt: skip
ROLE_CHANGERS = {"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"}
ENTRY = """
repository = "DataDog/pathfinding.cloud"

[[technique]]
id = "iam-005"
title = "A role puts an inline policy on itself"
source = { commit = "a89d537a42a9cd7c8481247cf3468a2addd8ad77" }
prerequisites = ["actor-is-role"]
gain = { kind = "gains-policy", holder = "${actor_arn}", policy = "authored" }
[[technique.action]]
action = "iam:PutRolePolicy"
resource = "${actor_arn}"
"""


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue()


def test_loads_every_path_of_the_version_read(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue.repository == "DataDog/pathfinding.cloud"
    # 86 paths of data/paths/aws/ plus sagemaker-003, read from the earlier layout.
    assert len(catalogue.techniques) == 87
    counts = {evidence: len(catalogue.decided_by(evidence)) for evidence in Evidence}
    assert counts == {Evidence.IAM_DATA: 48, Evidence.CREDENTIAL_STATE: 6, Evidence.INVENTORY: 33, Evidence.ASSUMED: 0}


def test_ids_are_unique_and_well_formed(catalogue) -> None:  # type: ignore[no-untyped-def]
    ids = [t.id for t in catalogue.techniques]
    assert len(ids) == len(set(ids))
    for technique in catalogue.techniques:
        assert re.fullmatch(r"[a-z][a-z0-9]*-\d{3}", technique.id)
        assert technique.source.path.endswith(f"/{technique.id}.yaml")
        assert re.fullmatch(r"[0-9a-f]{40}", technique.source.commit)


@pytest.mark.parametrize("technique_id", IAM_ONLY + PASS_ROLE)
def test_issue_paths_are_decided_from_iam_data(catalogue, technique_id: str) -> None:  # type: ignore[no-untyped-def]
    assert catalogue[technique_id].decided_by is Evidence.IAM_DATA


@pytest.mark.parametrize("technique_id", CREDENTIAL)
def test_credential_paths_are_kept_and_wait_for_credential_state(catalogue, technique_id: str) -> None:  # type: ignore[no-untyped-def]
    technique = catalogue[technique_id]
    assert technique.decided_by is Evidence.CREDENTIAL_STATE
    assert technique.outcome.gain is Gain.CREDENTIAL
    assert technique.outcome.holder == Placeholder.TARGET_USER.template
    assert technique.deciding_data


def test_everything_else_is_an_inventory_path_that_says_what_would_decide_it(catalogue) -> None:  # type: ignore[no-untyped-def]
    listed = set(IAM_ONLY + CREDENTIAL + PASS_ROLE)
    rest = [t for t in catalogue.techniques if t.id not in listed]
    assert len(rest) == 33
    for technique in rest:
        assert technique.decided_by is Evidence.INVENTORY, technique.id
        assert Prerequisite.EXISTING_RESOURCE in technique.prerequisites, technique.id
        assert technique.deciding_data, technique.id


def test_pass_role_paths_name_the_service_and_its_trust(catalogue) -> None:  # type: ignore[no-untyped-def]
    for technique_id in PASS_ROLE:
        technique = catalogue[technique_id]
        passes = [a for a in technique.actions if a.action == "iam:PassRole"]
        assert passes and technique.trusted_services, technique_id
        assert {c.key for a in passes for c in a.context} == {"iam:PassedToService"}, technique_id
        assert Prerequisite.PASSED_ROLE_TRUSTS_SERVICE in technique.prerequisites


def test_context_the_issue_names_is_recorded(catalogue) -> None:  # type: ignore[no-untyped-def]
    def context(technique_id: str, action: str) -> dict[str, str]:
        found = [a for a in catalogue[technique_id].actions if a.action == action]
        assert len(found) == 1
        return {c.key: c.value for c in found[0].context}

    assert context("ec2-001", "ec2:RunInstances") == {"ec2:InstanceProfile": "${instance_profile_arn}"}
    assert context("ec2-001", "iam:PassRole") == {"iam:PassedToService": "ec2.amazonaws.com"}
    assert context("cloudformation-001", "cloudformation:CreateStack") == {
        "cloudformation:RoleArn": "${passed_role_arn}"
    }
    attaches = [
        ("iam-008", "iam:AttachUserPolicy"),
        ("iam-009", "iam:AttachRolePolicy"),
        ("iam-010", "iam:AttachGroupPolicy"),
        ("iam-014", "iam:AttachRolePolicy"),
    ]
    for technique_id, action in attaches:
        assert context(technique_id, action) == {"iam:PolicyARN": "${policy_arn}"}


def test_prerequisites_the_issue_names(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert Prerequisite.INSTANCE_PROFILE in catalogue["ec2-001"].prerequisites
    assert {Prerequisite.POLICY_ATTACHED_TO_ACTOR, Prerequisite.POLICY_VERSION_SLOT} <= set(
        catalogue["iam-001"].prerequisites
    )
    assert Prerequisite.LOGIN_PROFILE_ABSENT in catalogue["iam-004"].prerequisites
    assert Prerequisite.LOGIN_PROFILE_PRESENT in catalogue["iam-006"].prerequisites
    assert Prerequisite.ACCESS_KEY_SLOT in catalogue["iam-002"].prerequisites
    assert catalogue["iam-013"].outcome.gain is Gain.JOINS_GROUP
    assert catalogue["iam-007"].outcome.policy is PolicyOrigin.AUTHORED
    assert catalogue["iam-008"].outcome.policy is PolicyOrigin.MANAGED
    assert catalogue["sts-001"].outcome.gain is Gain.BECOMES_PRINCIPAL


def test_nothing_changes_what_aws_forbids_changing(catalogue) -> None:  # type: ignore[no-untyped-def]
    for technique in catalogue.techniques:
        actions = {a.action for a in technique.actions}
        roles_changed = any(
            a.action in ROLE_CHANGERS and a.resource in ("${actor_arn}", "${target_role_arn}")
            for a in technique.actions
        )
        if roles_changed:
            assert {TargetKind.SERVICE_LINKED_ROLE, TargetKind.AWS_RESERVED_ROLE} <= set(technique.excluded_targets)
        if "iam:CreatePolicyVersion" in actions:
            assert TargetKind.AWS_MANAGED_POLICY in technique.excluded_targets, technique.id


def test_every_template_is_known(catalogue) -> None:  # type: ignore[no-untyped-def]
    for technique in catalogue.techniques:
        assert placeholder_of(technique.outcome.holder) is not None
        for action in technique.actions:
            placeholder_of(action.resource)
            for value in action.context:
                if value.value.startswith("${"):
                    placeholder_of(value.value)


def test_a_valid_entry_parses() -> None:
    technique = parse_catalogue(ENTRY, name="test.toml")["iam-005"]
    assert technique.source.path == "data/paths/aws/iam/iam-005.yaml"
    assert technique.decided_by is Evidence.IAM_DATA


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            ('prerequisites = ["actor-is-role"]', 'prerequisites = ["actor-is-a-role"]'),
            "prerequisites",
            "unknown value",
        ),
        (('id = "iam-005"', 'id = "IAM5"'), "id", "pathfinding.cloud id"),
        (('resource = "${actor_arn}"', 'resource = "${actor}"'), "action[0].resource", "unknown placeholder"),
        (('resource = "${actor_arn}"', 'resource = "arn:aws:iam::*:role/x"'), "action[0].resource", "neither"),
        (('action = "iam:PutRolePolicy"', 'action = "PutRolePolicy"'), "action[0].action", "service:Action"),
        ((', policy = "authored"', ""), "gain.policy", "where the policy comes from"),
        (('"a89d537a42a9cd7c8481247cf3468a2addd8ad77"', '"a89d537"'), "source.commit", "40-digit"),
        (('title = "A role', 'titel = "x"\ntitle = "A role'), None, "unknown fields"),
        (('action = "iam:PutRolePolicy"', 'action = "iam:PassRole"'), "action", "iam:PassedToService"),
        (
            ('resource = "${actor_arn}"', 'resource = "${actor_arn}"\ncontext = { "ec2:InstanceProfile" = "x" }'),
            "action[0].context.ec2:InstanceProfile",
            "not a key of iam:PutRolePolicy's service",
        ),
        (('["actor-is-role"]', '["actor-is-role", "access-key-slot"]'), "deciding_data", "what data decides it"),
    ],
)
def test_bad_entries_are_refused_naming_technique_and_field(
    change: tuple[str, str], field: str | None, message: str
) -> None:
    old, new = change
    assert old in ENTRY
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(ENTRY.replace(old, new, 1), name="test.toml")
    assert raised.value.file == "test.toml"
    assert raised.value.field == field
    assert message in str(raised.value)
    assert "test.toml" in str(raised.value)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(CatalogueError, match="duplicate id") as raised:
        parse_catalogue(ENTRY + ENTRY.split("repository", 1)[1].split("\n", 1)[1], name="test.toml")
    assert raised.value.technique == "iam-005"


def test_pass_role_technique_must_name_the_trust_it_needs() -> None:
    entry = ENTRY.replace(
        'action = "iam:PutRolePolicy"\nresource = "${actor_arn}"',
        'action = "iam:PassRole"\nresource = "${passed_role_arn}"\n'
        'context = { "iam:PassedToService" = "ec2.amazonaws.com" }',
    ).replace('["actor-is-role"]', '["passed-role-trusts-service"]')
    with pytest.raises(CatalogueError, match="needs trusted_services"):
        parse_catalogue(entry, name="test.toml")
    fixed = entry.replace("prerequisites =", 'trusted_services = ["ec2.amazonaws.com"]\nprerequisites =')
    assert parse_catalogue(fixed, name="test.toml")["iam-005"].trusted_services == ("ec2.amazonaws.com",)


def _passing_entry(prerequisites: str, extra: str = "") -> str:
    return ENTRY.replace(
        'action = "iam:PutRolePolicy"\nresource = "${actor_arn}"',
        'action = "iam:PassRole"\nresource = "${passed_role_arn}"\n'
        'context = { "iam:PassedToService" = "elasticmapreduce.amazonaws.com" }\n'
        '[[technique.action]]\naction = "iam:PassRole"\nresource = "${helper_role_arn}"\n'
        'context = { "iam:PassedToService" = "elasticmapreduce.amazonaws.com" }',
    ).replace(
        'prerequisites = ["actor-is-role"]',
        f'trusted_services = ["ec2.amazonaws.com"]\n{extra}prerequisites = {prerequisites}',
    )


def test_a_helper_role_technique_names_the_services_its_helper_must_trust() -> None:
    entry = _passing_entry('["passed-role-trusts-service", "helper-role"]')
    with pytest.raises(CatalogueError, match="helper_services go together") as raised:
        parse_catalogue(entry, name="test.toml")
    assert raised.value.field == "helper_services"
    fixed = _passing_entry(
        '["passed-role-trusts-service", "helper-role"]', 'helper_services = ["elasticmapreduce.amazonaws.com"]\n'
    )
    assert parse_catalogue(fixed, name="test.toml")["iam-005"].helper_services == ("elasticmapreduce.amazonaws.com",)
    stray = _passing_entry('["passed-role-trusts-service"]', 'helper_services = ["elasticmapreduce.amazonaws.com"]\n')
    with pytest.raises(CatalogueError, match="helper_services go together"):
        parse_catalogue(stray, name="test.toml")


def test_a_role_chain_technique_gains_the_execution_role() -> None:
    entry = _passing_entry('["passed-role-trusts-service", "role-chain"]').replace(
        '[[technique.action]]\naction = "iam:PassRole"\nresource = "${helper_role_arn}"',
        '[[technique.action]]\naction = "iam:PassRole"\nresource = "*"',
    )
    with pytest.raises(CatalogueError, match="'role-chain' needs") as raised:
        parse_catalogue(entry, name="test.toml")
    assert raised.value.field == "prerequisites"


def test_the_second_role_techniques_name_their_helper_services(catalogue) -> None:  # type: ignore[no-untyped-def]
    assert catalogue["batch-003"].helper_services == ("ecs-tasks.amazonaws.com",)
    assert catalogue["emr-001"].helper_services == ("elasticmapreduce.amazonaws.com",)
    assert catalogue["cloudformation-003"].outcome.holder == "${execution_role_arn}"
