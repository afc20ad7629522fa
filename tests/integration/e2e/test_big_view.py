"""The explorer stays responsive with thousands of nodes: progressive expansion, caps and "show more"."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import neo4j
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import empty_database

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT = "333333333333"
CROWD = f"arn:aws:iam::{ACCOUNT}:group/Crowd"
MEMBERS = 1200
PAGES = 24  # 50 neighbours a page: 1200 members plus the account box and the group's policy links


def crowd_account() -> dict[str, object]:
    """A GAAD file: one group of MEMBERS users whose inline policy allows s3:GetObject anywhere."""
    created = "2025-01-01T00:00:00+00:00"
    users = [
        {
            "Path": "/",
            "UserName": f"member{i:04d}",
            "UserId": f"AIDACROWD{i:011d}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/member{i:04d}",
            "CreateDate": created,
            "GroupList": ["Crowd"],
            "AttachedManagedPolicies": [],
            "Tags": [],
        }
        for i in range(MEMBERS)
    ]
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    group = {
        "Path": "/",
        "GroupName": "Crowd",
        "GroupId": "AGPACROWD0000000001",
        "Arn": CROWD,
        "CreateDate": created,
        "GroupPolicyList": [{"PolicyName": "ReadEverything", "PolicyDocument": document}],
        "AttachedManagedPolicies": [],
    }
    return {"UserDetailList": users, "GroupDetailList": [group], "RoleDetailList": [], "Policies": []}


@pytest.fixture(scope="module")
def demo_graph(neo4j_driver: neo4j.Driver, tmp_path_factory: pytest.TempPathFactory) -> neo4j.Driver:
    """Overrides conftest's: the demo data plus a big account, loaded by the real `accessgraph load`."""
    from service.cli import main
    from service.database import apply_schema

    folder = tmp_path_factory.mktemp("crowd")
    (folder / f"gaad-{ACCOUNT}.json").write_text(json.dumps(crowd_account()))
    empty_database(neo4j_driver)
    apply_schema(neo4j_driver)
    assert main(["load", str(ROOT / "examples")]) == 0
    assert main(["load", str(folder)]) == 0
    return neo4j_driver


def settle(page: Page) -> None:
    page.wait_for_function("() => window.explorer && window.explorer.idle()")


def view_size(page: Page) -> int:
    return int(page.evaluate("() => window.explorer.graph.size"))


def test_progressive_expansion_of_a_thousand_members(
    page: Page, record_property: Callable[[str, object], None]
) -> None:
    """Every page of a 1,000-member group expands and the view keeps answering. How fast is a figure
    (recorded as a test property, shown with `-rP`), never an assertion: timings depend on the machine's load."""
    page.get_by_role("combobox", name="Search accounts, principals, roles and policies").fill("Crowd")
    page.get_by_role("option", name="Crowd").first.click()
    details = page.get_by_test_id("details")
    expect(details.get_by_role("heading", level=2)).to_contain_text("Crowd")
    settle(page)
    first = view_size(page)
    assert 40 <= first <= 60, first  # one page of neighbours, not all of them
    assert page.evaluate("(arn) => window.explorer.graph.cy.getElementById(arn).data('more') > 0", CROWD)

    slowest = 0.0
    for _ in range(PAGES):
        more = details.get_by_role("button", name="Show more neighbours")
        if more.count() == 0:
            break
        started = time.monotonic()
        more.click()
        settle(page)
        slowest = max(slowest, time.monotonic() - started)
    assert view_size(page) >= MEMBERS, view_size(page)
    expect(details.get_by_role("button", name="All")).to_be_disabled()
    record_property("slowest_expansion_s", round(slowest, 2))

    # a zoom and the frames it draws, timed in the page: the view still answers at once
    frame_ms = page.evaluate(
        """() => new Promise((done) => {
             const started = performance.now();
             window.explorer.graph.cy.zoom(0.5);
             requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - started)));
           })"""
    )
    record_property("zoom_frame_ms", round(frame_ms))
    expect(page.locator("#view-count")).to_contain_text(f"{view_size(page)} nodes")


def test_answers_come_a_page_at_a_time(page: Page) -> None:
    page.get_by_label("Action", exact=True).fill("s3:GetObject")
    page.get_by_label("Resource", exact=True).fill("arn:aws:s3:::any-bucket/any-key")
    page.get_by_role("button", name="Who can?").click()
    settle(page)
    answer = page.get_by_test_id("answer")
    principals = answer.get_by_test_id("answer-principal")
    expect(principals).to_have_count(50)
    status = answer.get_by_role("status")
    expect(status).to_contain_text("(50 shown)")
    total = int(status.inner_text().split()[0])
    assert total >= MEMBERS, total
    answer.get_by_role("button", name="Show more").click()
    settle(page)
    expect(principals).to_have_count(100)
    expect(answer.get_by_role("button", name="Show more")).to_contain_text(f"{total - 100} left")
    lit = page.evaluate("() => window.explorer.highlighted().length")
    assert lit >= 100, lit
