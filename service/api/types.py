"""GraphQL types: the reachability answers as dashboards and the explorer read them."""

from __future__ import annotations

import json
from typing import Any

import strawberry
from strawberry.types import Info

from service.api.context import Context
from service.audit.model import Finding as AuditFinding
from service.evaluation.engine import Decision as EngineDecision
from service.evaluation.formula import Leaf, describe, leaves
from service.reachability import model
from service.reachability.navigation import EdgeView, EntityView, PolicyView, properties_json
from service.reachability.navigation import Neighbourhood as NeighbourhoodView


@strawberry.type(description="A node of the graph: user, role, group, policy, account, external principal, ...")
class NodeRef:
    arn: str = strawberry.field(description="The node's key: its ARN, or an account id / external key")
    kind: str = strawberry.field(
        description="user, role, group, policy, account, service, federated, any, canonical, unknown-id, "
        "principal (a principal of an account that is not loaded), organization, root, ou, scp, rcp; loaded "
        "resources: s3-bucket, kms-key, sqs-queue, sns-topic, lambda-function, secret, ecr-repository"
    )
    name: str | None
    account_id: str | None

    @strawberry.field(description="The node's details (batched: one query however many rows ask)")
    async def entity(self, info: Info[Context, None]) -> Entity | None:
        view = await info.context.entities.load(self.arn)
        return Entity.of(view) if view is not None else None

    @classmethod
    def of(cls, ref: model.NodeRef) -> NodeRef:
        return cls(arn=ref.arn, kind=ref.kind, name=ref.name, account_id=ref.account_id)


@strawberry.type(description="One condition that must hold (or, when negated, must not hold)")
class ConditionTest:
    key: str
    operator: str
    values: list[str]
    negated: bool
    policy: str | None
    statement: str | None = strawberry.field(description="Statement index and Sid in that policy")

    @classmethod
    def of(cls, leaf: Leaf) -> ConditionTest:
        where = None
        if leaf.statement is not None:
            where = str(leaf.statement) + (f" ({leaf.test.sid})" if leaf.test.sid else "")
        return cls(
            key=leaf.key,
            operator=leaf.operator,
            values=list(leaf.values),
            negated=leaf.negated,
            policy=leaf.policy or None,
            statement=where,
        )


@strawberry.type(
    description="One hop of a path: member_of, has_policy or assumes; resource_policy from a principal to a "
    "loaded resource whose policy grants it"
)
class PathStep:
    from_: NodeRef = strawberry.field(name="from")
    to: NodeRef
    kind: str
    via: str | None = strawberry.field(description="The policy and statement that make this hop")
    statement: str | None = strawberry.field(
        description="The granting statement as JSON; for an escalates step, a JSON array of the granting "
        "statement of each action the technique requires"
    )
    technique: str | None = strawberry.field(
        default=None, description="For an escalates step: the technique's catalogue id (docs/escalation.md)"
    )

    @classmethod
    def of(cls, step: model.PathStep) -> PathStep:
        return cls(
            from_=NodeRef.of(step.source),
            to=NodeRef.of(step.target),
            kind=step.kind,
            via=step.via,
            statement=step.statement,
            technique=step.technique,
        )


@strawberry.type
class Path:
    steps: list[PathStep]


@strawberry.type(description="A principal that can do what was asked, exactly when its conditions hold")
class Access:
    principal: NodeRef
    conditions: list[ConditionTest] = strawberry.field(
        description="Every condition test involved (flat); conditionText keeps the AND/OR/NOT structure"
    )
    condition_text: str | None = strawberry.field(description="null: allowed unconditionally")
    paths: list[Path]
    notes: list[str]
    hops: int = strawberry.field(description="Role assumptions between the principal and the grant")

    @classmethod
    def of(cls, access: model.Access) -> Access:
        return cls(
            principal=NodeRef.of(access.principal),
            conditions=[ConditionTest.of(leaf) for leaf in access.conditions],
            condition_text=access.condition_text,
            paths=[Path(steps=[PathStep.of(step) for step in path]) for path in access.paths],
            notes=list(access.notes),
            hops=access.hops,
        )


@strawberry.type(description="Which statement of which policy decided, and why")
class Reason:
    policy: str
    policy_type: str
    statement: int | None
    sid: str | None
    effect: str | None
    detail: str | None


@strawberry.type
class Decision:
    decision: str = strawberry.field(description="Allowed, ImplicitlyDenied or ExplicitlyDenied")
    conditions: list[ConditionTest]
    condition_text: str | None
    explanation: list[Reason]
    resource_pattern: bool = strawberry.field(
        description="true when the resource asked about was a pattern (`*` or `?`): the decision says whether "
        "the action is allowed on at least one resource matching it (a Deny counts only when it covers them all)"
    )

    @classmethod
    def of(cls, decision: EngineDecision) -> Decision:
        tests = leaves(decision.condition)
        return cls(
            decision=decision.decision,
            resource_pattern=decision.resource_pattern,
            conditions=[ConditionTest.of(leaf) for leaf in tests],
            condition_text=describe(decision.condition) if decision.condition is not None else None,
            explanation=[
                Reason(
                    policy=r.policy,
                    policy_type=r.policy_type,
                    statement=r.statement,
                    sid=r.sid,
                    effect=r.effect,
                    detail=r.why,
                )
                for r in decision.explanation
            ],
        )


@strawberry.type(description="A principal a role's trust policy admits from outside the role's account")
class CrossAccountTrust:
    role: NodeRef
    trusted: NodeRef
    trusted_account_id: str | None
    trusted_account_loaded: bool
    same_organization: bool | None = strawberry.field(description="null: the role's account is in no loaded org")
    outside_organization: bool
    statement_index: int
    sid: str | None
    conditions: list[ConditionTest]
    condition_text: str | None
    has_external_id: bool
    requires_mfa: bool
    restricts_organization: bool
    statement: str | None
    categories: list[str]

    @classmethod
    def of(cls, finding: model.TrustFinding) -> CrossAccountTrust:
        return cls(
            role=NodeRef.of(finding.role),
            trusted=NodeRef.of(finding.trusted),
            trusted_account_id=finding.trusted_account_id,
            trusted_account_loaded=finding.trusted_account_loaded,
            same_organization=finding.same_organization,
            outside_organization=finding.outside_organization,
            statement_index=finding.statement_index,
            sid=finding.sid,
            conditions=[ConditionTest.of(leaf) for leaf in finding.conditions],
            condition_text=finding.condition_text,
            has_external_id=finding.has_external_id,
            requires_mfa=finding.requires_mfa,
            restricts_organization=finding.restricts_organization,
            statement=finding.statement,
            categories=list(finding.categories),
        )


@strawberry.type
class PolicyDocument:
    arn: str
    name: str
    kind: str = strawberry.field(description="aws, customer, inline or unknown")
    known: bool = strawberry.field(description="false: referenced, but its document was not in the loaded data")
    document: str | None
    via: str | None = strawberry.field(description="The group it comes through, if not attached directly")

    @classmethod
    def of(cls, view: PolicyView) -> PolicyDocument:
        return cls(arn=view.arn, name=view.name, kind=view.kind, known=view.known, document=view.document, via=view.via)


@strawberry.type
class Entity:
    node: NodeRef
    properties: str = strawberry.field(description="The node's stored properties, as a JSON object")
    policies: list[PolicyDocument]
    boundary: PolicyDocument | None
    trust_policy: str | None
    last_used: str | None
    groups: list[NodeRef]

    @classmethod
    def of(cls, view: EntityView) -> Entity:
        return cls(
            node=NodeRef.of(view.node),
            properties=properties_json(view.properties),
            policies=[PolicyDocument.of(p) for p in view.policies],
            boundary=PolicyDocument.of(view.boundary) if view.boundary else None,
            trust_policy=view.trust_policy,
            last_used=view.last_used,
            groups=[NodeRef.of(g) for g in view.groups],
        )


@strawberry.type
class Edge:
    from_: str = strawberry.field(name="from")
    to: str
    kind: str
    properties: str

    @classmethod
    def of(cls, edge: EdgeView) -> Edge:
        return cls(from_=edge.source, to=edge.target, kind=edge.kind, properties=properties_json(edge.properties))


@strawberry.type(description="A page of an entity's relationships; pass endCursor as `after` for the next")
class Neighbourhood:
    center: NodeRef
    nodes: list[NodeRef]
    edges: list[Edge]
    total_count: int
    has_more: bool
    end_cursor: str | None

    @classmethod
    def of(cls, view: NeighbourhoodView) -> Neighbourhood:
        return cls(
            center=NodeRef.of(view.center),
            nodes=[NodeRef.of(n) for n in view.nodes],
            edges=[Edge.of(e) for e in view.edges],
            total_count=view.total,
            has_more=view.has_more,
            end_cursor=view.end_cursor,
        )


@strawberry.type(description="A page of a large answer, with its total so nothing is cut silently")
class AccessPage:
    total_count: int
    items: list[Access]
    has_more: bool
    end_cursor: str | None


@strawberry.type(description="A page of crossAccountTrusts, with the total count and the cursor of the next page")
class CrossAccountTrustPage:
    total_count: int
    items: list[CrossAccountTrust]
    has_more: bool
    end_cursor: str | None


@strawberry.type(
    description="One grant of a loaded resource's policy (or a role's trust policy) to principals outside its "
    "account (#14): who, which actions, on which conditions, and its categories"
)
class ExternalAccessFinding:
    resource: NodeRef = strawberry.field(description="The resource (kind s3-bucket, kms-key, ...) or role")
    principal: NodeRef = strawberry.field(description="Whom it grants: an account, a principal, `*`, a service")
    who: str = strawberry.field(description="account, organization, anyone or service")
    actions: list[str] = strawberry.field(description="The statement's actions (`NOT x` for a NotAction)")
    conditions: list[ConditionTest]
    condition_text: str | None = strawberry.field(description="null: no condition the question could not decide")
    categories: list[str] = strawberry.field(
        description="outside-account, outside-organization, public, service-without-source-condition"
    )
    statement_index: int | None
    sid: str | None
    statement: str | None = strawberry.field(description="The granting statement as JSON")
    notes: list[str] = strawberry.field(
        description="The policy's Deny statements that narrowed the grant (its conditions then say when)"
    )

    @classmethod
    def of(cls, finding: model.ExternalFinding) -> ExternalAccessFinding:
        return cls(
            resource=NodeRef.of(finding.resource),
            principal=NodeRef.of(finding.principal),
            who=finding.who,
            actions=list(finding.actions),
            conditions=[ConditionTest.of(leaf) for leaf in finding.conditions],
            condition_text=finding.condition_text,
            categories=list(finding.categories),
            statement_index=finding.statement_index,
            sid=finding.sid,
            statement=finding.statement,
            notes=list(finding.notes),
        )


@strawberry.type(description="A page of externalAccess, with the total count and the cursor of the next page")
class ExternalAccessPage:
    total_count: int
    items: list[ExternalAccessFinding]
    has_more: bool
    end_cursor: str | None


# --- history (#17): changes since a load or a time, and the rows dashboards chart -----------------------------


@strawberry.type(description="For one account or organization: the load a difference starts from and the newest")
class ComparedLoad:
    unit: str = strawberry.field(description="account or organization")
    unit_id: str
    before_id: str | None = strawberry.field(description="null: not loaded at `since`")
    before_time: str | None
    after_id: str | None
    after_time: str | None


@strawberry.type(description="A user, role, group or policy (or organization account, unit, policy) added or removed")
class EntityChange:
    unit_id: str
    kind: str
    arn: str = strawberry.field(description="The ARN; for organization entities, their id")
    name: str | None
    change: str = strawberry.field(description="added or removed")


@strawberry.type(description="One statement added, removed or changed (as canonical JSON)")
class StatementChange:
    change: str
    sid: str | None
    before: str | None
    after: str | None


@strawberry.type(description="A policy document or trust policy that differs, statement by statement")
class DocumentChange:
    unit_id: str = strawberry.field(description="The account; `aws` for an AWS managed policy")
    kind: str = strawberry.field(description="policy, trustPolicy or orgPolicy")
    arn: str
    name: str | None
    version_before: str | None
    version_after: str | None
    statements: list[StatementChange]


@strawberry.type(description="A group membership or a policy attachment (policy, boundary) added or removed")
class LinkChange:
    unit_id: str
    kind: str = strawberry.field(description="membership, policy or boundary")
    source: str
    target: str
    change: str


@strawberry.type(description="Who gained or lost the ability to assume a role (hops 1: directly, 2: through a role)")
class AccessChange:
    role: str
    principal: str
    principal_kind: str
    change: str = strawberry.field(description="gained, lost, or changed (other hops or conditions)")
    hops_before: int | None
    hops_after: int | None
    conditions_before: str | None
    conditions_after: str | None


@strawberry.type(
    description="Roles a group gained (hops before null), lost (hops after null), or reaches in another number of "
    "hops (`changed`); hops 1: directly, 2: through a role"
)
class RolesChange:
    change: str = strawberry.field(description="gained, lost, or changed (other hops)")
    hops_before: int | None
    hops_after: int | None
    roles: list[str]
    role_count: int


@strawberry.type(
    description="Principals that gained and lost the same roles alike: every principal of `principals` had every "
    "change of `changes`. Principals and roles of both loads only (one added or removed is an entity change); "
    "conditions are not compared here (see `access`, with exactAccess)"
)
class AccessGroup:
    principals: list[str]
    principal_count: int
    changes: list[RolesChange]


@strawberry.type(description="Who became or stopped being an admin (#13's definition, without escalation)")
class AdminChange:
    principal: str
    change: str


@strawberry.type(description="Everything that changed since a load or a time")
class Changes:
    since: str
    loads: list[ComparedLoad]
    entities: list[EntityChange]
    documents: list[DocumentChange]
    trusts: list[DocumentChange]
    memberships: list[LinkChange]
    attachments: list[LinkChange]
    access: list[AccessChange] = strawberry.field(
        description="Per principal and role, with conditions: only when `accessMethod` is exact"
    )
    access_groups: list[AccessGroup] = strawberry.field(
        description="Who gained or lost the ability to assume each role (up to 2 hops), grouped"
    )
    admins: list[AdminChange]
    access_compared: bool = strawberry.field(
        description="False when asked with `access: false`: `access`, `accessGroups` and `admins` were not "
        "worked out (empty)"
    )
    access_method: str = strawberry.field(
        description="records (read from the access records the load runs made: seconds), exact (decided again "
        "in both worlds, with conditions: hours at 100k principals), or none (`access: false`)"
    )
    access_note: str | None = strawberry.field(description="Why access was not read from records, when not")

    @classmethod
    def of(cls, found: dict[str, Any]) -> Changes:
        """From `changes_json` (the CLI's json), so the two cannot drift apart."""
        def documents(rows: list[dict[str, Any]]) -> list[DocumentChange]:
            return [
                DocumentChange(**{**_snake(d), "statements": [StatementChange(**s) for s in d["statements"]]})
                for d in rows
            ]

        return cls(
            since=found["since"],
            loads=[ComparedLoad(**_snake(c)) for c in found["loads"]],
            entities=[EntityChange(**_snake(e)) for e in found["entities"]],
            documents=documents(found["documents"]),
            trusts=documents(found["trusts"]),
            memberships=[LinkChange(**_snake(x)) for x in found["memberships"]],
            attachments=[LinkChange(**_snake(x)) for x in found["attachments"]],
            access=[AccessChange(**_snake(a)) for a in found["access"]],
            access_groups=[
                AccessGroup(principals=g["principals"], principal_count=g["principalCount"], changes=[
                    RolesChange(**_snake(c)) for c in g["changes"]
                ])
                for g in found["accessGroups"]
            ],
            admins=[AdminChange(**a) for a in found["admins"]],
            access_compared=found["accessCompared"],
            access_method=found["accessMethod"],
            access_note=found["accessNote"],
        )


def _snake(row: dict[str, Any]) -> dict[str, Any]:
    return {"".join(f"_{c.lower()}" if c.isupper() else c for c in key): value for key, value in row.items()}


CHANGE_SECTIONS = (
    "entities", "documents", "trusts", "memberships", "attachments", "access", "accessGroups", "admins",
)


@strawberry.type(
    description="One change of a changesPage: `section` (entities, documents, trusts, memberships, attachments, "
    "access, accessGroups, admins) says which one of the other fields is set"
)
class ChangeItem:
    section: str
    entity: EntityChange | None = None
    document: DocumentChange | None = None
    link: LinkChange | None = None
    access: AccessChange | None = None
    access_group: AccessGroup | None = None
    admin: AdminChange | None = None


@strawberry.type(
    description="`changes` a page at a time: the loads compared, then every change in the order of `changes`' "
    "sections, with the total count; pass endCursor as `after` for the next page"
)
class ChangesPage:
    since: str
    loads: list[ComparedLoad]
    access_compared: bool = strawberry.field(
        description="False when asked with `access: false`: no item of the access, accessGroups and admins "
        "sections"
    )
    access_method: str = strawberry.field(description="As `Changes.accessMethod`")
    total_count: int
    items: list[ChangeItem]
    has_more: bool
    end_cursor: str | None


def change_items(found: Changes) -> list[ChangeItem]:
    """Every change of `found` as one list, in the order of its sections."""
    return [
        *(ChangeItem(section="entities", entity=e) for e in found.entities),
        *(ChangeItem(section="documents", document=d) for d in found.documents),
        *(ChangeItem(section="trusts", document=d) for d in found.trusts),
        *(ChangeItem(section="memberships", link=x) for x in found.memberships),
        *(ChangeItem(section="attachments", link=x) for x in found.attachments),
        *(ChangeItem(section="access", access=a) for a in found.access),
        *(ChangeItem(section="accessGroups", access_group=g) for g in found.access_groups),
        *(ChangeItem(section="admins", admin=a) for a in found.admins),
    ]


@strawberry.type(description="One recorded load and its counts: a flat row a dashboard charts over `time`")
class HistoryRow:
    time: str = strawberry.field(description="When the load was recorded (ISO 8601, UTC)")
    load_id: str
    unit: str = strawberry.field(description="account or organization")
    unit_id: str
    source: str
    commit: str = strawberry.field(description="The accessgraph commit that loaded it")
    principals: int
    users: int
    roles: int
    groups: int
    policies: int = strawberry.field(description="Customer managed policies (organization loads: SCPs and RCPs)")
    trust_statements: int
    cross_account_trusts: int = strawberry.field(
        description="Allow trust principals that may reach outside the account, as recorded at load time"
    )
    accounts: int = strawberry.field(description="Organization loads: member accounts")
    organizational_units: int
    # The graph's counts right after the load (docs/history.md "Counts per load"): null for an organization's
    # load, a load recorded before they were, or a run killed before it wrote them.
    outside_account: int | None = strawberry.field(description="Trust findings by category, as stats counts them")
    outside_organization: int | None
    any_principal: int | None
    unloaded_account: int | None
    external_without_external_id: int | None
    without_mfa: int | None
    admins: int | None = strawberry.field(description="Administrators (#13's definition, without escalation)")
    findings: int | None = strawberry.field(
        description="Audit findings (#16, default thresholds); also null when the account had no credential or "
        "security data loaded"
    )
    findings_critical: int | None
    findings_high: int | None
    findings_medium: int | None
    findings_low: int | None
    resources: int | None = strawberry.field(description="Loaded resources (#14), then by type")
    s3_buckets: int | None
    kms_keys: int | None
    sqs_queues: int | None
    sns_topics: int | None
    lambda_functions: int | None
    secrets: int | None
    ecr_repositories: int | None


@strawberry.type(description="One loaded account now: a flat row for dashboards (null: not available yet)")
class StatsRow:
    account_id: str
    time: str = strawberry.field(description="When the account's current snapshot was loaded")
    load_id: str
    principals: int
    users: int
    roles: int
    groups: int
    policies: int
    cross_account_trusts: int = strawberry.field(description="crossAccountTrusts findings of the account's roles")
    outside_account: int = strawberry.field(description="... of them in the outside-account category")
    outside_organization: int
    any_principal: int
    unloaded_account: int
    external_without_external_id: int
    without_mfa: int
    admins: int | None = strawberry.field(
        description="Administrators of the account now (#13's definition, without escalation)"
    )
    findings: int | None = strawberry.field(
        description="Audit findings of the account now (#16, default thresholds); null when no credential or "
        "security data of the account is loaded"
    )
    findings_critical: int | None = strawberry.field(description="Audit findings by severity (null as findings)")
    findings_high: int | None
    findings_medium: int | None
    findings_low: int | None
    resources: int | None = strawberry.field(description="Loaded resources of the account (#14), then by type")
    s3_buckets: int | None
    kms_keys: int | None
    sqs_queues: int | None
    sns_topics: int | None
    lambda_functions: int | None
    secrets: int | None
    ecr_repositories: int | None


@strawberry.type(description="An audit finding (#16): where an account departs from the tutorial's best practices")
class Finding:
    category: str = strawberry.field(description="One of the categories docs/audit.md lists")
    severity: str = strawberry.field(description="critical, high, medium or low")
    account_id: str
    entity: NodeRef = strawberry.field(
        description="What it is about: a user, role, policy, the root user (kind root) or the account (kind "
        "account, arn its id), or a trail"
    )
    evidence: str = strawberry.field(description="The facts that make the finding, as a JSON object {field: value}")
    recommendation: str
    cis: str = strawberry.field(
        description="The CIS AWS Foundations Benchmark v3.0.0 control id(s) it matches; empty when none does"
    )

    @classmethod
    def of(cls, finding: AuditFinding) -> Finding:
        subject = finding.subject
        return cls(
            category=finding.category,
            severity=finding.severity,
            account_id=finding.account_id,
            entity=NodeRef(arn=subject.arn, kind=subject.kind, name=None, account_id=finding.account_id),
            evidence=json.dumps(finding.evidence_map),
            recommendation=finding.recommendation,
            cis=finding.cis,
        )


@strawberry.type(description="An audit check that could not run, and why: the data that decides it is not loaded")
class UncheckedCheck:
    category: str
    account_id: str
    reason: str


@strawberry.type(description="A page of findings, with the total count, and every check that could not run")
class FindingPage:
    total_count: int
    items: list[Finding]
    has_more: bool
    end_cursor: str | None
    unchecked: list[UncheckedCheck] = strawberry.field(
        description="Checks that could not run (never counted as passing); a CI gate should look at these too"
    )


@strawberry.type(description="A privilege-escalation technique of the catalogue (docs/escalation.md), for labelling "
                 "escalates steps")
class EscalationTechnique:
    id: str
    title: str
    notes: str = strawberry.field(description="What the catalogue adds about the technique; empty when nothing")
    decided_by: str = strawberry.field(
        description="The data that decides it: iam-data, credential-state, inventory or assumed"
    )
