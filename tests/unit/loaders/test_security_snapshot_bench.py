"""bench/synthetic_security.py through bench/generate.py: every account gets a credential report and a
security snapshot the loaders accept, the same bytes for the same seed, and the departures the audit counts."""

from __future__ import annotations

from pathlib import Path

from bench.generate import generate
from loaders.pipeline import plan_from_paths


def test_every_account_gets_both_files_the_loaders_accept(tmp_path: Path) -> None:
    result = generate(tmp_path / "a", 300, accounts=3, seed=2, security=True)
    generate(tmp_path / "b", 300, accounts=3, seed=2, security=True)
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()} == {
        p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()
    }
    plan = plan_from_paths([tmp_path / "a"])
    accounts = {account.account_id for account in plan.accounts}
    assert {r.account_id for r in plan.reports} == accounts == {s.account_id for s in plan.snapshots}
    assert len(result.files) == 3 * 3 + 1
    users = [user for report in plan.reports for user in report.users if not user.is_root]
    assert len(users) == sum(len(account.users) for account in plan.accounts)
    assert any(user.password_enabled and not user.mfa_active for user in users)
    assert any(user.access_key_count == 2 for user in users)
    assert all(report.generated_time == "2026-11-30T00:00:00+00:00" for report in plan.reports)


def test_without_the_flag_nothing_changes_and_a_rerun_clears_the_files(tmp_path: Path) -> None:
    generate(tmp_path, 300, accounts=3, seed=2, security=True)
    generate(tmp_path, 300, accounts=3, seed=2)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json"] * 4
