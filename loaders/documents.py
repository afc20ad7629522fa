"""Policy documents: every one the loaders store is validated by the evaluator's parser first."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from loaders.fields import Where, kind_of
from service.errors import PolicyError
from service.evaluation import Policy, PolicyKind, parse_policy


def validated_policy(
    raw: object, *, where: Where, name: str, kind: PolicyKind, warnings: list[str]
) -> tuple[Policy, str]:
    """Parse a document given as an object, a JSON string or URL-encoded JSON.

    Returns the parsed policy and the decoded document as a compact JSON string (key order kept). What the
    parser finds AWS cannot use as written (a condition value its operator cannot read: the condition never
    matches, so a Deny carrying it never applies) is stored as it is and appended to `warnings`, naming the
    file, the entity, the policy, the statement and the key.

    Raises:
        InputError: naming the file, the entity and (from the parser) the statement and field at fault.
    """
    if raw is None:
        raise where.error("missing policy document")
    if not isinstance(raw, str | Mapping):
        raise where.error(f"a policy document must be an object or a JSON string, not {kind_of(raw)}")
    try:
        policy = parse_policy(raw, name=name, kind=kind)
        document = document_json(policy.source_document)
        document.encode("utf-8")  # a lone surrogate (from a \\ud800 escape) parses, but Neo4j cannot store it
        warnings.extend(f"{where.source}: {where.entity}: {warning}" for warning in policy.warnings)
        return policy, document
    except PolicyError as exc:
        raise where.error(str(exc)) from exc
    except UnicodeEncodeError:
        raise where.error("policy document is not Unicode text (it holds a lone surrogate)") from None
    except (RecursionError, ValueError) as exc:
        raise where.error(f"policy document cannot be stored as JSON: {exc}") from exc


def document_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def statement_objects(policy: Policy) -> list[Mapping[str, Any]]:
    """The raw statements of a parsed policy, in order (the parser accepted one object or a list)."""
    body = policy.source_document["Statement"]
    return [body] if isinstance(body, Mapping) else list(body)

