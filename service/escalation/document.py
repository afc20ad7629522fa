"""Renders the catalogue as Markdown: the source of docs/escalation.md.

python -m service.escalation.document > docs/escalation.md      # regenerate
python -m service.escalation.document --check docs/escalation.md  # exit 1 when it has drifted
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from .catalogue import load_catalogue
from .model import (
    WILDCARD,
    Catalogue,
    Evidence,
    Gain,
    Outcome,
    Placeholder,
    PolicyOrigin,
    Prerequisite,
    RequiredAction,
    TargetKind,
    Technique,
)

REGENERATE = "python -m service.escalation.document > docs/escalation.md"

_GAIN_TEXT = {
    Gain.BECOMES_PRINCIPAL: "becomes {holder}",
    Gain.GAINS_POLICY: "{holder} gains {policy}",
    Gain.JOINS_GROUP: "joins {holder}",
    Gain.CREDENTIAL: "a credential of {holder}",
}
_POLICY_TEXT = {
    PolicyOrigin.AUTHORED: "a policy the attacker writes (anything)",
    PolicyOrigin.MANAGED: "a managed policy of its choice (what iam:PolicyARN allows)",
}
_TARGET_TEXT = {
    TargetKind.SERVICE_LINKED_ROLE: "service-linked roles (path `/aws-service-role/`)",
    TargetKind.AWS_RESERVED_ROLE: "AWS-reserved roles (path `/aws-reserved/`, `AWSReservedSSO_*`)",
    TargetKind.AWS_MANAGED_POLICY: "AWS managed policies (`arn:aws:iam::aws:policy/...`)",
}


def render(catalogue: Catalogue) -> str:
    """The whole document; deterministic, so a test can compare it with the committed file."""
    lines = [
        "# Privilege escalation: the catalogue",
        "",
        f"<!-- Generated from service/escalation/catalogue.toml by `{REGENERATE}`. Do not edit by hand:",
        "     tests/unit/escalation/test_document.py fails when this file and the catalogue differ. -->",
        "",
        f"One entry per technique of [{catalogue.repository}](https://github.com/{catalogue.repository}), "
        "keyed by its id. Each entry records the actions that must be allowed (on which resource, with which "
        "request context), what must already be true, and what the attacker ends up holding. The catalogue "
        "is data only: deciding a technique means asking the evaluator about every required action with the "
        "context shown, for the entities the templates name.",
        "",
        *_counts(catalogue),
        "",
        *_sources(catalogue),
        "",
        *_legend(),
        "",
        "## Decided from IAM data",
        "",
        "IAM data alone (GAAD and Organizations policies) decides these; assumptions, where listed, are "
        "reported with the answer rather than checked.",
        "",
        *_decided_table(catalogue.decided_by(Evidence.IAM_DATA)),
        "",
        "## Decided from credential data",
        "",
        "These create or take over a user's credentials. They are decided from the credential report or "
        "security snapshot loaded for the target user's account (`accessgraph load`, issue #16): its access "
        "keys (AWS allows two per user, active or not), whether it has a console password. Where no such data "
        "is loaded for the account, or it does not name the user (a user newer than the report), they are "
        "reported as *possible, credential state unknown* (condition `accessgraph:CredentialState`), never "
        "dropped.",
        "",
        *_undecided_table(catalogue.decided_by(Evidence.CREDENTIAL_STATE)),
        "",
        "## Not decided: needs resource inventories",
        "",
        "These act on resources that must already exist (functions, instances, stacks, projects...). The "
        "catalogue keeps them so that the answer can say which data would decide them.",
        "",
        *_undecided_table(catalogue.decided_by(Evidence.INVENTORY)),
        "",
        *_notes(catalogue),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _counts(catalogue: Catalogue) -> list[str]:
    counts = {evidence: len(catalogue.decided_by(evidence)) for evidence in Evidence}
    return [
        f"{len(catalogue.techniques)} techniques: {counts[Evidence.IAM_DATA]} decided from IAM data, "
        f"{counts[Evidence.CREDENTIAL_STATE]} needing credential state, "
        f"{counts[Evidence.INVENTORY]} needing resource inventories."
    ]


def _sources(catalogue: Catalogue) -> list[str]:
    by_commit: dict[str, list[str]] = defaultdict(list)
    for technique in catalogue.techniques:
        by_commit[technique.source.commit].append(technique.id)
    lines = [
        "## Source",
        "",
        f"Read from `data/paths/aws/<service>/<id>.yaml` of {catalogue.repository}. The stored copies of the "
        "repository hold each file at one of the commits below (ids are those of the version read; the "
        "catalogue has renumbered some ids between versions). Titles, notes and deciding data are written "
        "here, not copied.",
        "",
        "| commit | ids read at that commit |",
        "|---|---|",
    ]
    for commit in sorted(by_commit):
        lines.append(f"| `{commit}` | {', '.join(sorted(by_commit[commit]))} |")
    return lines


def _legend() -> list[str]:
    lines = [
        "## Reading the tables",
        "",
        "Resources and holders are templates: `*` means the attacker picks the resource (any ARN the "
        "policies allow will do); `${name}` names an entity:",
        "",
        "| template | entity |",
        "|---|---|",
    ]
    lines += [f"| `{p.template}` | {p.description} |" for p in Placeholder]
    lines += [
        "",
        "Prerequisites, and the data that decides each:",
        "",
        "| prerequisite | decided by | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{p.value}` | {p.evidence.value} | {_escape(p.description)} |" for p in Prerequisite]
    lines += ["", "Excluded targets (AWS forbids changing them; the evaluator recognises each kind):", ""]
    lines += [f"- `{kind.value}`: {text}" for kind, text in _TARGET_TEXT.items()]
    return lines


def _decided_table(techniques: Sequence[Technique]) -> list[str]:
    lines = [
        "| id | technique | required actions | prerequisites | gain | never targets |",
        "|---|---|---|---|---|---|",
    ]
    for t in techniques:
        lines.append(
            f"| {t.id} | {_escape(t.title)} | {_actions(t.actions)} | {_prerequisites(t)} | "
            f"{_escape(_outcome(t.outcome))} | {', '.join(k.value for k in t.excluded_targets) or '-'} |"
        )
    return lines


def _undecided_table(techniques: Sequence[Technique]) -> list[str]:
    lines = [
        "| id | technique | required actions | prerequisites | gain | data that would decide it |",
        "|---|---|---|---|---|---|",
    ]
    for t in techniques:
        lines.append(
            f"| {t.id} | {_escape(t.title)} | {_actions(t.actions)} | {_prerequisites(t)} | "
            f"{_escape(_outcome(t.outcome))} | {_escape(t.deciding_data)} |"
        )
    return lines


def _notes(catalogue: Catalogue) -> list[str]:
    noted = [t for t in catalogue.techniques if t.notes]
    return ["## Notes", ""] + [f"- **{t.id}**: {t.notes}" for t in noted]


def _actions(actions: Sequence[RequiredAction]) -> str:
    parts = []
    for action in actions:
        text = f"`{action.action}`" + ("" if action.resource == WILDCARD else f" on `{action.resource}`")
        if action.context:
            text += " with " + ", ".join(f"`{c.key}` = `{c.value}`" for c in action.context)
        parts.append(text)
    return "<br>".join(parts)


def _prerequisites(technique: Technique) -> str:
    parts = [f"`{p.value}`" for p in technique.prerequisites]
    if technique.trusted_services:
        parts.append("trusts " + " or ".join(f"`{s}`" for s in technique.trusted_services))
    if technique.helper_services:
        parts.append("helper trusts " + " or ".join(f"`{s}`" for s in technique.helper_services))
    return "<br>".join(parts) or "-"


def _outcome(outcome: Outcome) -> str:
    text = _GAIN_TEXT[outcome.gain].format(
        holder=f"`{outcome.holder}`", policy=_POLICY_TEXT[outcome.policy] if outcome.policy else ""
    )
    if outcome.policy is not None and outcome.gain is not Gain.GAINS_POLICY:
        text += f", after giving it {_POLICY_TEXT[outcome.policy]}"
    return text


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.escalation.document", description="Render the escalation catalogue as Markdown."
    )
    parser.add_argument(
        "--check", type=Path, metavar="FILE", help="compare FILE with the catalogue instead of printing"
    )
    args = parser.parse_args(argv)
    document = render(load_catalogue())
    if args.check is None:
        sys.stdout.write(document)
        return 0
    try:
        current = args.check.read_text(encoding="utf-8")
    except OSError as error:
        print(f"{args.check}: cannot read ({error.strerror}); regenerate it with `{REGENERATE}`", file=sys.stderr)
        return 1
    if current != document:
        print(
            f"{args.check} differs from service/escalation/catalogue.toml; regenerate it with `{REGENERATE}`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
