"""The explorer's privilege-escalation views in a real browser: the escalation toggle on whoCanAssume, escalation
steps drawn as their own edges labelled with the technique id, the technique's title in the panel, and the
Admins view (account selector, escalation on/off)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from playwright.sync_api import Page, expect

from service.cli import main
from service.database import apply_schema
from tests.conftest import empty_database
from tests.integration.e2e.conftest import require_bundle, serve
from tests.support.gaad import Account, allow, trust, trusts

pytestmark = pytest.mark.e2e

A = "444455556666"
ACCOUNT = Account(A)
_EVERYTHING = ACCOUNT.policy("Everything", allow("*"))
ADMIN = ACCOUNT.role("Admin", trust(trusts({"AWS": f"arn:aws:iam::{A}:user/ops"})), managed=[_EVERYTHING])
TARGET = ACCOUNT.role("Target", trust(trusts({"Service": "ec2.amazonaws.com"})), inline=[allow("s3:GetObject")])
REWRITER = ACCOUNT.user("rewriter", inline=[allow("iam:UpdateAssumeRolePolicy", ACCOUNT.arn("role", "Target"))])
SELFIE = ACCOUNT.user("selfie", inline=[allow("iam:PutUserPolicy", ACCOUNT.arn("user", "selfie"))])
OPS = ACCOUNT.user("ops", inline=[allow("sts:AssumeRole", ACCOUNT.arn("role", "Admin"))])
READER = ACCOUNT.user("reader", inline=[allow("s3:GetObject")])


@pytest.fixture(scope="module")
def escalation_server(neo4j_driver: neo4j.Driver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo data plus one account whose users escalate, served like the other e2e tests' server."""
    from service.api.app import create_app

    folder = tmp_path_factory.mktemp("escalation")
    ACCOUNT.write(folder)
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    assert main(["load", "--quiet", str(Path(__file__).resolve().parents[3] / "examples"), str(folder)]) == 0
    require_bundle()
    with serve(create_app(dev=True, tokens=())) as url:
        yield url


@pytest.fixture
def server(escalation_server: str) -> str:
    return escalation_server


def settle(page: Page) -> None:
    page.wait_for_function("() => window.explorer && window.explorer.idle()")


def _edge(page: Page, source: str, target: str) -> dict[str, str] | None:
    """The data of the escalates edge between two ARNs in the view, if drawn."""
    return page.evaluate(  # type: ignore[no-any-return]
        """([s, t]) => {
            const g = window.explorer.graph;
            const e = g.cy.getElementById(`${g.idOf(s)}|escalates|${g.idOf(t)}`);
            return e.nonempty() ? { label: e.data("label"), kind: e.data("kind"),
                                    style: e.style("line-style") } : null;
        }""",
        [source, target],
    )


def _ask_assume(page: Page, escalation: bool) -> None:
    page.get_by_label("Role ARN").fill(TARGET)
    toggle = page.locator("#assume-escalation")
    toggle.set_checked(escalation)
    page.get_by_role("button", name="Who can assume?").click()
    settle(page)


def test_who_can_assume_with_escalation_draws_the_technique(page: Page) -> None:
    _ask_assume(page, escalation=False)
    answer = page.get_by_test_id("answer")
    expect(answer.get_by_role("heading", level=2)).not_to_contain_text("escalation")
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{REWRITER}"]')).to_have_count(0)
    assert _edge(page, REWRITER, TARGET) is None

    _ask_assume(page, escalation=True)
    expect(answer.get_by_role("heading", level=2)).to_contain_text("with privilege escalation")
    rewriter = answer.locator(f'[data-testid="answer-principal"][data-arn="{REWRITER}"]')
    expect(rewriter).to_be_visible()
    note = rewriter.get_by_test_id("technique")
    expect(note).to_have_attribute("data-technique", "iam-012")
    expect(note).to_contain_text("Rewrite a role's trust policy to trust oneself")
    expect(rewriter.get_by_test_id("statement").filter(has_text="iam:UpdateAssumeRolePolicy").first).to_be_visible()
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{READER}"]')).to_have_count(0)
    edge = _edge(page, REWRITER, TARGET)
    assert edge == {"label": "iam-012", "kind": "escalates", "style": "dashed"}, edge
    assert REWRITER in set(page.evaluate("() => window.explorer.highlighted()"))


def test_admins_view_lists_admins_and_would_be_admins(page: Page) -> None:
    page.get_by_role("button", name="Show admins").click()
    settle(page)
    answer = page.get_by_test_id("answer")
    expect(answer.get_by_role("heading", level=2)).to_contain_text("Administrators of every account")
    account = page.get_by_label("Account", exact=True)
    expect(account.locator(f'option[value="{A}"]')).to_have_count(1)  # learnt from the first answer

    account.select_option(A)
    page.get_by_role("button", name="Show admins").click()
    settle(page)
    expect(answer.get_by_role("heading", level=2)).to_contain_text(f"Administrators of {A}")
    admin = answer.locator(f'[data-testid="answer-principal"][data-arn="{ADMIN}"]')
    expect(admin.get_by_test_id("admin-status")).to_have_text("administrator")
    selfie = answer.locator(f'[data-testid="answer-principal"][data-arn="{SELFIE}"]')
    expect(selfie.get_by_test_id("admin-status")).to_have_text("can become administrator")
    expect(selfie.get_by_test_id("technique")).to_contain_text("iam-007")
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{READER}"]')).to_have_count(0)
    assert all(arn.split(":")[4] == A for arn in answer.locator('[data-testid="answer-principal"]').evaluate_all(
        "items => items.map(i => i.dataset.arn)"))

    page.locator("#admins-escalation").set_checked(False)
    page.get_by_role("button", name="Show admins").click()
    settle(page)
    expect(answer.get_by_role("heading", level=2)).not_to_contain_text("escalation")
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{ADMIN}"]')).to_be_visible()
    expect(answer.locator(f'[data-testid="answer-principal"][data-arn="{SELFIE}"]')).to_have_count(0)
