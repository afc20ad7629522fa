"""docs/escalation.md is generated from the catalogue and must not drift from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.escalation import Evidence, load_catalogue
from service.escalation.document import main, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "escalation.md"


def test_committed_document_matches_the_catalogue() -> None:
    assert DOC.read_text(encoding="utf-8") == render(load_catalogue()), (
        "docs/escalation.md has drifted: run `python -m service.escalation.document > docs/escalation.md`"
    )


def test_document_lists_every_id_in_its_section() -> None:
    catalogue = load_catalogue()
    text = render(catalogue)
    sections = {
        Evidence.IAM_DATA: text.split("## Decided from IAM data")[1].split("## Decided from credential data")[0],
        Evidence.CREDENTIAL_STATE: text.split("## Decided from credential data")[1].split("## Not decided")[0],
        Evidence.INVENTORY: text.split("## Not decided: needs resource inventories")[1].split("## Notes")[0],
    }
    for technique in catalogue.techniques:
        assert f"| {technique.id} |" in sections[technique.decided_by], technique.id
        if technique.decided_by is not Evidence.IAM_DATA:
            assert technique.deciding_data in sections[technique.decided_by]
    for commit in {t.source.commit for t in catalogue.techniques}:
        assert f"`{commit}`" in text


def test_check_accepts_the_current_file_and_refuses_a_drifted_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", str(DOC)]) == 0
    drifted = tmp_path / "escalation.md"
    drifted.write_text(render(load_catalogue()).replace("iam-001", "iam-999"), encoding="utf-8")
    assert main(["--check", str(drifted)]) == 1
    assert f"{drifted} differs" in capsys.readouterr().err
    assert main(["--check", str(tmp_path / "missing.md")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_without_check_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == render(load_catalogue())
