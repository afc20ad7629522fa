"""`accessgraph load` (IAM and Organizations into the graph) and `accessgraph collect` (to files)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.graph_writer import DEFAULT_BATCH_SIZE
from loaders.progress import Progress, SilentProgress, StderrProgress
from service.errors import InputError

if TYPE_CHECKING:
    import neo4j

    from loaders.pipeline import LoadPlan
    from service.database import Neo4jSettings

# How long a failed account transaction is run again (a deadlock between parallel workers, a lost
# connection, a cluster leader change): long enough for a few attempts of a 10k-role account.
LOAD_RETRY_SECONDS = 300.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    load = subparsers.add_parser(
        "load",
        help="load IAM (GAAD files or a live account) and AWS Organizations into the graph",
        description=(
            "Load GAAD files (`aws iam get-account-authorization-details` output), folders of them and "
            "Organizations snapshots (`accessgraph collect --organization`), recognised by content; or "
            "read live accounts with --live. Each account replaces its previous snapshot atomically; "
            "nothing is written unless every input is valid. If a write fails after that, the error says "
            "which accounts have their new snapshot and which kept the previous one (exit code 5)."
        ),
    )
    load.add_argument("paths", nargs="*", metavar="PATH", help="GAAD file, Organizations snapshot or folder")
    load.add_argument("--live", action="store_true", help="read the accounts from AWS through boto3")
    _aws_options(load)
    load.add_argument(
        "--organization", action="store_true",
        help="with --live: also load the AWS Organization the profile's account can read",
    )
    _resource_options(load, "with --live: also load each account's resource policies (S3, KMS, SQS, SNS, "
                      "Lambda, Secrets Manager, ECR)")
    load.add_argument(
        "--security", action="store_true",
        help="with --live: also load each account's credential report and security settings (issue #16)",
    )
    load.add_argument("--dry-run", action="store_true", help="validate and transform everything, write nothing")
    load.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per UNWIND batch")
    load.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="write N accounts at a time, each in its own transaction (default 1); organizations go first",
    )
    load.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    load.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    load.add_argument(
        "--history-loads", metavar="N",
        help="keep the newest N loads of each account and organization in history (default: "
        "ACCESSGRAPH_HISTORY_LOADS, else 30); older ones are pruned by this load",
    )
    load.add_argument(
        "--no-access-record", dest="access_record", action="store_false",
        help="do not record who may assume which role once the loads are written (about a minute at 100k "
        "principals); `diff` then decides access again in both worlds, far slower (docs/history.md)",
    )
    load.set_defaults(func=run_load)

    record = subparsers.add_parser(
        "record-access",
        help="record who may assume which role in the graph now, for `diff`: what a load run does once its loads "
        "are written (for a run stopped before that, or loaded with --no-access-record)",
    )
    record.add_argument("--history-loads", metavar="N", help="keep the newest N access records (as `load`)")
    record.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    record.set_defaults(func=run_record_access)

    collect = subparsers.add_parser(
        "collect",
        help="save live AWS data to files that `load` reads",
        description=(
            "Write the live organization as a snapshot file, each account's GAAD as AWS CLI JSON, or each "
            "account's resource policies as a resource snapshot (--resources), or each account's credential "
            "report (CSV as AWS writes it) and security snapshot (--security)."
        ),
    )
    what = collect.add_mutually_exclusive_group(required=True)
    what.add_argument("--organization", action="store_true", help="write an Organizations snapshot to -o FILE")
    what.add_argument("--gaad", action="store_true", help="write gaad-<account>.json files into the -o folder")
    _resource_options(what, "write resources-<account>.json files (resource policies) into the -o folder",
                      regions_to=collect)
    what.add_argument(
        "--security", action="store_true",
        help="write credential-report-<account>.csv and security-<account>.json files into the -o folder",
    )
    collect.add_argument("-o", "--output", required=True, type=Path, metavar="PATH")
    _aws_options(collect)
    collect.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    collect.set_defaults(func=run_collect)


def _resource_options(
    group: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup,
    help_text: str,
    *,
    regions_to: argparse.ArgumentParser | None = None,
) -> None:
    group.add_argument("--resources", action="store_true", help=help_text)
    target = regions_to if regions_to is not None else group
    target.add_argument(
        "--regions", type=_regions, metavar="R1,R2",
        help="with --resources: the regions to read (comma-separated; default: the account's enabled regions)",
    )


def _regions(text: str) -> list[str]:
    regions = [region.strip() for region in text.split(",") if region.strip()]
    if not regions:
        raise argparse.ArgumentTypeError("give at least one region, e.g. us-east-1,eu-west-1")
    return regions


def _aws_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="AWS named profile (default: the usual credential chain)")
    parser.add_argument(
        "--role-arn", dest="role_arns", action="extend", nargs="+", default=[], metavar="ARN",
        help="assume this role to read its account (repeat for a multi-account load)",
    )


def _progress(args: argparse.Namespace) -> Progress:
    return SilentProgress() if args.quiet else StderrProgress()


def run_load(args: argparse.Namespace) -> int:
    from loaders.pipeline import (
        LoadPlan,
        LoadSummary,
        account_summary,
        combine,
        plan_from_paths,
        resource_summary,
        write_plan,
    )

    if not args.paths and not args.live:
        raise InputError("nothing to load: give GAAD files, folders or snapshots, or --live")
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    if (args.role_arns or args.profile or args.organization) and not args.live:
        raise InputError("--profile, --role-arn and --organization need --live")
    if args.resources and not args.live:
        raise InputError("--resources needs --live (resource snapshot files are recognised without it)")
    if args.regions and not args.resources:
        raise InputError("--regions needs --resources")
    if args.security and not args.live:
        raise InputError("--security needs --live (files of security data are recognised by content)")
    from loaders.history import history_keep

    keep = history_keep(args.history_loads)  # (flag beats variable; refused before anything is read or written)
    progress = _progress(args)
    plan = plan_from_paths(args.paths, progress) if args.paths else LoadPlan((), ())
    if args.live:
        from loaders.collect import plan_from_live  # boto3 is imported only for live loads

        live = plan_from_live(
            profile=args.profile, role_arns=args.role_arns, organization=args.organization, progress=progress,
            resources=args.resources, regions=args.regions, security=args.security,
        )
        plan = combine([*plan.accounts, *live.accounts], [*plan.organizations, *live.organizations],
                       [*plan.warnings, *live.warnings], resources=[*plan.resources, *live.resources],
                       reports=[*plan.reports, *live.reports], snapshots=[*plan.snapshots, *live.snapshots])
    if args.dry_run:
        summary = LoadSummary(
            accounts=[account_summary(account, 0.0, 0) for account in plan.accounts],
            organizations=[{"id": org.id, "source": org.source, "accounts": len(org.accounts)}
                           for org in plan.organizations],
            warnings=list(plan.warnings),
            resources=[resource_summary(snapshot, 0.0, 0) for snapshot in plan.resources],
            security=[
                {"kind": kind, "accountId": item.account_id, "source": item.source}
                for kind, items in (("credential report", plan.reports), ("security snapshot", plan.snapshots))
                for item in items
            ],
        )
    else:
        from service.database import Neo4jSettings, apply_schema, connect

        settings = Neo4jSettings.resolve()
        driver = connect(settings, retry_seconds=LOAD_RETRY_SECONDS)
        try:
            apply_schema(driver, settings.database)
            summary = write_plan(driver, plan, database=settings.database, batch_size=args.batch_size,
                                 progress=progress, workers=args.workers, keep_loads=keep)
            _record_counts(driver, settings, plan, progress)
            if args.access_record and (plan.accounts or plan.organizations):  # (units history records)
                _record_access(driver, settings, progress, keep)
        finally:
            driver.close()
    if args.json:
        json.dump(summary.as_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0


def _record_counts(driver: neo4j.Driver, settings: Neo4jSettings, plan: LoadPlan, progress: Progress) -> None:
    """The history rows' counts of the accounts the run touched (service/history/counts.py), after every
    write committed: a failure here leaves the loads written and their counts null, and says so."""
    import time

    from neo4j.exceptions import DriverError, Neo4jError

    from service.errors import AccessgraphError, LoadError
    from service.history.counts import record_counts, touched_accounts

    accounts = touched_accounts(plan)
    if not accounts:
        return
    started = time.monotonic()
    progress.note(f"history: working out the counts of {len(accounts)} account(s)")
    try:
        recorded = record_counts(driver, settings, accounts)
    except (Neo4jError, DriverError, OSError, AccessgraphError) as exc:
        raise LoadError(
            f"every load was written, but the history counts of {len(accounts)} account(s) were not recorded "
            f"(their history rows show null counts): {exc}"
        ) from exc
    progress.note(f"history: counts recorded on {recorded} load(s) in {time.monotonic() - started:.1f} s")


def _record_access(driver: neo4j.Driver, settings: Neo4jSettings, progress: Progress, keep: int) -> None:
    """Who may assume which role in the graph now, recorded for `diff` (service/history/access_store.py),
    after every write committed: a failure here leaves the loads written without it, and says so."""
    from neo4j.exceptions import DriverError, Neo4jError

    from service.errors import AccessgraphError, InputError, LoadError
    from service.history.access_store import record_access

    progress.note("history: recording who may assume which role (for `diff`)")
    try:
        recorded = record_access(driver, settings, keep)
    except (Neo4jError, DriverError, OSError, AccessgraphError) as exc:
        raise LoadError(
            "the access record was not written: `diff` since these loads will decide access again in both "
            f"worlds, far slower (`accessgraph record-access` records it): {exc}"
        ) from exc
    if recorded.outcome == "nothing":
        raise InputError("nothing is loaded yet: no access to record (load GAAD files first)")
    if recorded.outcome == "skipped":
        progress.note("history: the newest loads changed while their access was worked out (another load run "
                      "committed): not recorded; that run records the newer loads")
        return
    progress.note(f"history: access recorded ({recorded.bytes / 1e6:.1f} MB) in {recorded.seconds:.1f} s")


def run_record_access(args: argparse.Namespace) -> int:
    """`accessgraph record-access`: what a load run does once its loads are written, for a run stopped
    before it or loaded with --no-access-record."""
    from loaders.history import history_keep
    from service.database import Neo4jSettings, connect

    keep = history_keep(args.history_loads)
    settings = Neo4jSettings.resolve()
    driver = connect(settings)
    try:
        _record_access(driver, settings, _progress(args), keep)
    finally:
        driver.close()
    return 0


def run_collect(args: argparse.Namespace) -> int:
    from loaders.collect import collect_gaad, collect_organization, collect_resources, collect_security

    progress = _progress(args)
    if args.regions and not args.resources:
        raise InputError("--regions needs --resources")
    if args.organization:
        if args.role_arns:
            raise InputError("--role-arn is for --gaad; use --profile for the organization's account")
        snapshot = collect_organization(args.profile, args.output, progress)
        progress.note(
            f"wrote {args.output}: organization {snapshot['Organization']['Id']}, "
            f"{len(snapshot['Accounts'])} accounts, {len(snapshot['Policies'])} policies"
        )
    elif args.resources:
        collect_resources(args.profile, args.role_arns, args.output, args.regions, progress)
    elif args.security:
        collect_security(args.profile, args.role_arns, args.output, progress)
    else:
        collect_gaad(args.profile, args.role_arns, args.output, progress)
    return 0
