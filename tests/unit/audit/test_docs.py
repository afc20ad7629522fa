"""docs/audit.md lists every category with its CIS v3.0.0 id, and the tutorial's words it quotes are the tutorial's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.audit.catalogue import CATEGORIES, CATEGORY_NAMES

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "audit.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CATEGORY_NAMES)
def test_every_category_is_documented_with_its_severity_and_cis_id(name: str) -> None:
    category = CATEGORIES[name]
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{name}` |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[1] == category.severity
    assert cells[4] == (category.cis or "—")


def test_every_category_quotes_the_tutorial() -> None:
    section = DOC.split("## The tutorial's words each category comes from", 1)[1]
    quoted = set(re.findall(r"`([a-z-]+)`", section.split("## Examples", 1)[0]))
    assert set(CATEGORY_NAMES) <= quoted
