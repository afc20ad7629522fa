"""The explorer's Audit view on the demo data, in a real browser on the real stack: findings by severity and
category, each linked to its entity; the checks the loaded data cannot decide listed as not run."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.integration.e2e.test_explorer import settle

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::111111111111:role/ContractorAccess"  # last used 2025-06-18: unused in any 90-day window since


def open_audit(page: Page) -> None:
    page.get_by_role("button", name="Audit").click()
    settle(page)
    expect(page.get_by_test_id("audit").get_by_role("heading", level=2)).to_have_text("Audit")


def test_findings_by_severity_and_category_link_to_their_entity(page: Page) -> None:
    open_audit(page)
    audit = page.get_by_test_id("audit")
    role = audit.locator(f'[data-testid="finding"][data-category="unused-role"][data-arn="{ROLE}"]')
    expect(role).to_be_visible()
    expect(role.get_by_test_id("evidence")).to_contain_text("2025-06-18")
    expect(audit.locator('[data-testid="category-count"][data-category="unused-role"]')).to_contain_text("1")
    expect(audit.locator('[data-testid="severity-count"][data-severity="low"]')).not_to_have_text("low: 0")

    page.locator("#audit-severity").select_option("critical")
    expect(audit.locator('[data-testid="finding"][data-severity="low"]')).to_have_count(0)
    page.locator("#audit-severity").select_option("")
    page.locator("#audit-category").select_option("unused-role")
    expect(audit.get_by_test_id("finding")).to_have_count(1)

    role.get_by_test_id("finding-entity").click()
    settle(page)
    expect(page.get_by_test_id("details")).to_contain_text(ROLE)
    assert page.evaluate("(arn) => window.explorer.graph.cy.getElementById(arn).nonempty()", ROLE)


def test_checks_without_their_data_are_listed_not_passed(page: Page) -> None:
    open_audit(page)
    # The demo's GAAD alone says nothing of passwords or trails: those checks are shown as not run.
    unchecked = page.get_by_test_id("audit").get_by_test_id("unchecked")
    expect(unchecked.filter(has_text="password-policy-missing").first).to_be_visible()
