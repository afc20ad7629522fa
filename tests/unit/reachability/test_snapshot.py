"""The snapshot of loaded accounts (service/reachability/snapshot.py) on a `FakeSource`: what it reads, and
when it reads again."""

from __future__ import annotations

import json

from service.database.records import OrganizationRecord, OrgLevelRecord, OrgPolicyRecord
from service.reachability.profiles import OrgContext, PolicyRef
from service.reachability.snapshot import AccountSnapshot
from tests.unit.reachability.fake_source import FakeAccount, FakeOrganization, FakeSource, allow, deny, document, run

A, B = "111122223333", "444455556666"


async def _entries(snapshot: AccountSnapshot, source: FakeSource, accounts: list[str] | None = None) -> dict:
    return (await snapshot.accounts(source, await snapshot.generation(source), accounts)).entries


def test_an_account_is_read_once_and_again_only_after_its_own_load() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    a.user("alice")
    b.user("bob")
    source, snapshot = FakeSource(a, b), AccountSnapshot()

    async def scenario() -> None:
        await _entries(snapshot, source)
        await _entries(snapshot, source)
        assert source.reads["account_principals"] == 2
        revision = snapshot.revision
        b.load_id = "load-2"
        entries = await _entries(snapshot, source)
        assert source.reads["account_principals"] == 3
        assert snapshot.revision > revision and entries[B].load_id == "load-2"

    run(scenario())


def test_only_the_wanted_accounts_are_read() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    source, snapshot = FakeSource(a, b), AccountSnapshot()
    entries = run(_entries(snapshot, source, [B, "999999999999"]))
    assert list(entries) == [B] and source.reads["account_principals"] == 1


def test_an_account_the_graph_no_longer_holds_is_dropped() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    source, snapshot = FakeSource(a, b), AccountSnapshot()

    async def scenario() -> None:
        await _entries(snapshot, source)
        del source.accounts[B]
        assert list(await _entries(snapshot, source)) == [A]
        assert [entry.account_id for entry in snapshot.entries] == [A]

    run(scenario())


def test_a_new_version_of_an_aws_managed_policy_reads_the_other_holders_again() -> None:
    a, b = FakeAccount(A), FakeAccount(B)
    managed_a = a.aws_policy("Shared", allow("s3:GetObject"))
    managed_b = b.aws_policy("Shared", allow("s3:GetObject"))
    a.user("alice", [managed_a])
    b.user("bob", [managed_b])
    source, snapshot = FakeSource(a, b), AccountSnapshot()

    async def scenario() -> None:
        await _entries(snapshot, source)
        a.aws_policy("Shared", allow("s3:*"), version="v2")
        a.load_id = "load-2"
        entries = await _entries(snapshot, source)
        assert source.reads["account_principals"] == 4  # A for its load, B for the policy it shares
        held = entries[B].profiles[b.arn("user", "bob")].policies[0]
        assert held.document is not None and '"s3:*"' in held.document

    run(scenario())


def test_group_policies_carry_their_group_and_an_unknown_arn_stays_a_policy() -> None:
    a = FakeAccount(A)
    readers = a.policy("Readers", allow("s3:GetObject"))
    team = a.group("team", [readers])
    a.user("alice", ["arn:aws:iam::aws:policy/NeverLoaded"], groups=[team])
    entries = run(_entries(AccountSnapshot(), FakeSource(a)))
    policies = entries[A].profiles[a.arn("user", "alice")].policies
    assert policies[0] == PolicyRef.unknown("arn:aws:iam::aws:policy/NeverLoaded")
    assert (policies[1].arn, policies[1].via, policies[1].via_name) == (readers, team, "team")
    assert entries[A].holders[readers] == (a.arn("user", "alice"),)


def test_an_organization_load_rebinds_the_accounts_without_reading_them_again() -> None:
    a = FakeAccount(A)
    a.user("alice")
    org = FakeOrganization("o-test", A, accounts={A: ["r-root", A]})
    org.attach("r-root", "full", allow("*"))
    source, snapshot = FakeSource(a, organization=org), AccountSnapshot()

    async def scenario() -> None:
        before = (await _entries(snapshot, source))[A]
        org.attach("r-root", "no-s3", deny("s3:*"))
        org.load_id = "org-load-2"
        after = (await _entries(snapshot, source))[A]
        assert source.reads["account_principals"] == 1 and snapshot.rebinds == 1
        assert len(after.org.scp_levels[0]) == 2 and len(before.org.scp_levels[0]) == 1
        assert after.profiles[a.arn("user", "alice")].org is after.org

    run(scenario())


def test_an_org_context_from_its_record() -> None:
    scp = OrgPolicyRecord("p-1", "full", "SERVICE_CONTROL_POLICY", document(allow("*")))
    rcp = OrgPolicyRecord(
        "p-2", "rcp", "RESOURCE_CONTROL_POLICY", json.dumps({"Statement": [{**deny("s3:*"), "Principal": "*"}]})
    )
    record = OrganizationRecord(
        A, True, "o-test", B, (OrgLevelRecord("r-root", (scp, rcp)), OrgLevelRecord("ou-1", ()), OrgLevelRecord(A, ()))
    )
    org = OrgContext.from_record(record)
    assert org.org_paths == ("o-test/r-root/ou-1/",)
    assert [len(level) for level in org.scp_levels] == [1, 0, 0] and not org.is_management_account
    assert [len(level) for level in org.rcp_levels] == [1, 0, 0]
    no_scps = OrgContext.from_record(OrganizationRecord(A, True, "o-test", A, (OrgLevelRecord("r-root", ()),)))
    assert no_scps.scp_levels == () and no_scps.is_management_account  # the policy type is disabled
