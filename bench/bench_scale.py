"""Scale benchmark: generate an organization of N principals, load it, and measure the API over HTTP.

    .venv/bin/python bench/bench_scale.py [--sizes 1000 10000 100000] [--seed 1] [--skip-generate]
        [--skip-load] [--phases latency throughput during-load history] [--api-url URL] [--empty-first]
        [--restart-neo4j] [--workers N] [--clients 16] [--seconds 30]

For each size: generate with bench/generate.py into bench/data/<size>-seed<seed>/ (git-ignored), run
`accessgraph load --json` on it as a subprocess, twice: into the graph as it is (empty with
--empty-first), then again over itself, the reload that replaces every account's snapshot (wall time,
entities/s, the loader's peak RSS, Neo4j's memory); serve the API (`accessgraph serve`, production mode)
unless --api-url names a running one; then measure:

- latency: sequential whoCanAssumePage / whoCanPage / crossAccountTrusts(accountId) requests, p50/p95/p99;
  and the whole organization's crossAccountTrusts a few times;
- throughput: --clients concurrent clients (threads) for --seconds, mixed questions;
- during-load: whoCanAssume latency while `accessgraph load` rewrites the other half of the accounts;
- history: the store's growth per load (an unchanged reload, then one with 1% of the entities changed) and
  `accessgraph diff` for the whole organization (bench/scale_history.py).

Prints the figures and writes bench/results/<size>.json (machine facts, Neo4j version and memory settings,
the commit). A rerun that skips phases keeps the previous run's figures for them, each section stamped
with when and at which commit it was measured. Neo4j is the one `accessgraph` resolves (NEO4J_URI, else
the local server); its memory is read from /proc only for the local server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scale_workload as workload
from bench.common import ACCESSGRAPH, ROOT, Api, GraphQLFailure, machine, memory, percentiles, post, served_api
from bench.generate import RESOURCES_PER_PRINCIPAL, generate
from bench.scale_history import history_phase
from bench.scale_report import line, size_report, summary_table
from bench.synthetic_org import default_accounts

PHASES = ("latency", "throughput", "during-load", "history")
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"


def main() -> int:
    args = _arguments()
    facts = {"machine": machine(), "neo4j": _neo4j_facts()}
    results = [_run_size(size, args, facts) for size in args.sizes]
    print(summary_table(results))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="accessgraph scale benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000], metavar="N",
                        help="principals (users + roles) per run (default 1000 10000 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resources-per-principal", type=float, default=RESOURCES_PER_PRINCIPAL, metavar="R",
                        help=f"resources (#14) to generate per principal (default {RESOURCES_PER_PRINCIPAL:g}: "
                        "20,000 at 100,000); their load is timed on its own, after the IAM loads (0: none)")
    parser.add_argument("--accounts", type=int, help="accounts per organization (default: size / 1000, at least 3)")
    parser.add_argument("--data-dir", type=Path, default=DATA, help=f"where generated files go (default {DATA})")
    parser.add_argument("--results-dir", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS})")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the files already in --data-dir")
    parser.add_argument("--skip-load", action="store_true", help="the graph already holds this organization")
    parser.add_argument("--empty-first", action="store_true",
                        help="delete everything in the graph before loading (never the default: it is your data)")
    parser.add_argument("--restart-neo4j", action="store_true",
                        help="restart the local Neo4j before each load, so its memory figures belong to that size")
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    parser.add_argument("--requests", type=int, default=100,
                        help="sequential whoCanAssume and crossAccountTrusts requests (default 100)")
    parser.add_argument("--who-can-requests", type=int, default=40, help="sequential whoCan requests (default 40)")
    parser.add_argument("--organization-reviews", type=int, default=3,
                        help="whole-organization crossAccountTrusts requests (default 3)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per question first (default 3)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients for throughput (default 16)")
    parser.add_argument("--seconds", type=float, default=30.0, help="throughput phase duration (default 30)")
    parser.add_argument("--workers", type=int, default=1, help="`accessgraph serve --workers` (default 1)")
    parser.add_argument("--api-url", help="measure this running API (http://host:port/graphql) instead of serving one")
    parser.add_argument("--token", default=os.environ.get("ACCESSGRAPH_BENCH_TOKEN"),
                        help="bearer token for the API (default $ACCESSGRAPH_BENCH_TOKEN)")
    return parser.parse_args()


# -- one size ------------------------------------------------------------------------------------------

def _run_size(size: int, args: argparse.Namespace, facts: dict[str, Any]) -> dict[str, Any]:
    accounts_count = args.accounts or default_accounts(size)
    name = f"{size}-seed{args.seed}" + ("" if args.accounts is None else f"-{args.accounts}accounts")
    folder = args.data_dir / name
    print(f"\n== {size:,} principals, {accounts_count} accounts, seed {args.seed}: {folder}", flush=True)
    result = _previous(args.results_dir / f"{size}.json", args.seed, accounts_count)
    result.update(size=size, seed=args.seed, accounts=accounts_count, **facts)
    if not args.skip_generate:
        resources = round(size * args.resources_per_principal)
        generated = generate(folder, size, accounts=args.accounts, seed=args.seed, resources=resources)
        result["generate"] = _stamped(generated.as_json())
        _note(f"generated {generated.counts['users']:,} users + {generated.counts['roles']:,} roles, "
              f"{generated.bytes / 1e6:.1f} MB in {generated.seconds:.1f} s")
    accounts = workload.catalog(folder)
    path = args.results_dir / f"{size}.json"

    def save() -> None:  # after every phase, so an interrupted run keeps what it measured
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    if args.restart_neo4j:
        _restart_neo4j()
    if args.empty_first and not args.skip_load:
        _empty_graph()
    if not args.skip_load:
        for section, what in (("load", "loaded"), ("reload", "reloaded over itself")):
            result[section] = _stamped(_measure_load(_iam_files(folder)))
            figures = result[section]
            _note(f"{what} in {figures['wallSeconds']:.1f} s ({figures['entitiesPerSecond']:,.0f} entities/s), "
                  f"loader peak RSS {figures['loaderPeakMiB']:,.0f} MiB")
        if list(folder.glob("resources-*.json")):
            result["resourcesLoad"] = _stamped(_measure_resource_load(folder))
            figures = result["resourcesLoad"]
            _note(f"resources loaded in {figures['wallSeconds']:.1f} s ({figures['resources']:,} resources, "
                  f"{figures['resourcesPerSecond']:,.0f}/s)")
    graph = _graph_size()
    ours = {account.id for account in accounts}
    others, missing = set(graph["loadedAccounts"]) - ours, ours - set(graph["loadedAccounts"])
    if others:
        _note(f"warning: the graph also holds {len(others)} loaded accounts of another run, which the figures "
              "include (--empty-first empties a benchmark database before loading)")
    if missing:
        _note(f"warning: {len(missing)} of this organization's accounts are not loaded (drop --skip-load)")
    result["graph"] = {"nodes": graph["nodes"], "relationships": graph["relationships"],
                       "loadedAccounts": len(graph["loadedAccounts"]), "otherAccounts": len(others),
                       "missingAccounts": len(missing), "storeMiB": _store_size()}
    save()
    if "history" in args.phases:
        driver, database = _driver()
        try:
            result["history"] = _stamped(history_phase(folder, _measure_load, driver, database))
        finally:
            driver.close()
        figures = result["history"]
        _note(f"history: an unchanged reload grew the store by {figures['unchangedReload']['growth']}; with 1% "
              f"changed by {figures['changedReload']['growth']}; diff of the organization in "
              f"{figures['diff']['wallSeconds']:.1f} s")
        save()
    with _api(args) as api:
        rng = random.Random(f"bench-scale:{args.seed}:{size}")
        if "latency" in args.phases:
            result["latency"] = _stamped(_latency(api, accounts, rng, args))
            save()
        if "throughput" in args.phases:
            result["throughput"] = _stamped(_throughput(api, accounts, args))
            save()
        if "during-load" in args.phases:
            result["duringLoad"] = _stamped(_during_load(api, accounts, rng, args))
        result["apiServerMemory"] = memory(api.pid)
    save()
    print(size_report(result), flush=True)
    _note(f"wrote {path}")
    return result


def _previous(path: Path, seed: int, accounts: int) -> dict[str, Any]:
    """The last results for this size, when they describe the same organization (to resume a run)."""
    try:
        previous: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return previous if previous.get("seed") == seed and previous.get("accounts") == accounts else {}


def _stamped(section: dict[str, Any]) -> dict[str, Any]:
    """A phase's figures with when, at which commit and under which machine load they were measured."""
    now = machine()
    return {**section, "measuredAt": datetime.now(UTC).isoformat(timespec="seconds"), "commit": now["commit"],
            "loadAverageAfter": now["loadAverage"]}


def _note(message: str) -> None:
    print(f"  {message}", flush=True)


# -- load ----------------------------------------------------------------------------------------------

def _measure_load(paths: list[Path], while_loading: Callable[[threading.Event], None] | None = None) -> dict[str, Any]:
    """`accessgraph load --json PATHS` as a subprocess: wall time, its summary, the loader's and Neo4j's memory.

    `while_loading` runs in this thread until the load has exited (the event is set then).
    """
    neo4j_pid = _neo4j_pid()
    neo4j_before = memory(neo4j_pid)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        loader = subprocess.Popen([ACCESSGRAPH, "load", "--quiet", "--json", *map(str, paths)], stdout=out, stderr=err)
        done = threading.Event()
        exit_status: list[Any] = []
        peaks = {"loader": 0.0, "neo4j": 0.0}

        def reap() -> None:
            _, status, usage = os.wait4(loader.pid, 0)  # this child's own rusage, unlike RUSAGE_CHILDREN
            exit_status.extend([os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024, time.perf_counter()])
            done.set()

        def sample() -> None:
            while not done.wait(0.25):
                for name, pid in (("loader", loader.pid), ("neo4j", neo4j_pid)):
                    now = memory(pid)
                    if now:
                        peaks[name] = max(peaks[name], now["rssMiB"])

        threads = [threading.Thread(target=reap), threading.Thread(target=sample)]
        for thread in threads:
            thread.start()
        if while_loading:
            while_loading(done)
        for thread in threads:
            thread.join()
        code, loader_peak, ended = exit_status
        loader.returncode = code
        if code != 0:
            err.seek(0)
            raise RuntimeError(f"accessgraph load failed ({code}): {err.read().decode()[-2000:]}")
        out.seek(0)
        summary = json.loads(out.read())
    wall = ended - started
    accounts = summary["accounts"]
    entities = sum(a["users"] + a["groups"] + a["roles"] + a["customerPolicies"] + a["inlinePolicies"]
                   for a in accounts)
    after = memory(neo4j_pid)
    return {
        "wallSeconds": round(wall, 2),
        "writeSeconds": summary["seconds"],
        "accountsLoaded": len(accounts),
        "entities": entities,
        "entitiesPerSecond": round(entities / wall, 1),
        "trustEdges": sum(a["trustEdges"] for a in accounts),
        "slowestAccountSeconds": max((a["seconds"] for a in accounts), default=0.0),
        "loaderPeakMiB": round(loader_peak, 1),
        "neo4j": None if neo4j_pid is None else {
            "rssBeforeMiB": neo4j_before and neo4j_before["rssMiB"],
            "rssAfterMiB": after and after["rssMiB"],
            "rssPeakDuringLoadMiB": peaks["neo4j"],  # sampled every 0.25 s
            "peakSinceStartMiB": after and after["peakMiB"],  # VmHWM: since the JVM started, not this load only
        },
    }


def _iam_files(folder: Path) -> list[Path]:
    """The organization's IAM and Organizations files, without its resource snapshots (timed on their own)."""
    return [*sorted(folder.glob("gaad-*.json")), *sorted(folder.glob("organization.json"))]


def _measure_resource_load(folder: Path) -> dict[str, Any]:
    """`accessgraph load` of the organization's resource snapshots alone (each account's in its own transaction)."""
    files = sorted(folder.glob("resources-*.json"))
    figures = _measure_load(files)
    resources = sum(len(json.loads(path.read_text(encoding="utf-8"))["Resources"]) for path in files)
    keep = ("wallSeconds", "writeSeconds", "loaderPeakMiB", "neo4j")
    return {**{key: figures[key] for key in keep}, "resources": resources,
            "resourcesPerSecond": round(resources / figures["wallSeconds"], 1) if figures["wallSeconds"] else 0.0}


# -- API phases ----------------------------------------------------------------------------------------

def _api(args: argparse.Namespace) -> Any:
    if args.api_url:
        from contextlib import nullcontext

        return nullcontext(Api(args.api_url))
    log = args.results_dir / "tmp" / "serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    return served_api(workers=args.workers, log=log)


def _ask(api: Api, request: workload.Request, token: str | None) -> tuple[float, int | None, str | None]:
    """(seconds, answer size, error)"""
    started = time.perf_counter()
    try:
        data = post(api.url, request.query, request.variables, token=token)
    except GraphQLFailure as exc:
        return time.perf_counter() - started, None, str(exc)[:300]
    return time.perf_counter() - started, request.size(data), None


def _review_organization(api: Api, token: str | None) -> tuple[float, int | None, str | None]:
    """Every page of the whole organization's crossAccountTrustsPage: (seconds for all, findings, error)."""
    started, after, count = time.perf_counter(), None, 0
    while True:
        request = workload.Request("crossAccountTrusts", workload.TRUSTS_OF_ORGANIZATION, {"after": after})
        try:
            page = post(api.url, request.query, request.variables, token=token)["crossAccountTrustsPage"]
        except GraphQLFailure as exc:
            return time.perf_counter() - started, None, str(exc)[:300]
        count += len(page["items"])
        if (after := page["endCursor"]) is None:
            return time.perf_counter() - started, count, None


def _figures(samples: list[tuple[float, int | None, str | None]]) -> dict[str, Any]:
    ok = [(seconds, size) for seconds, size, error in samples if error is None]
    errors = [error for _, _, error in samples if error is not None]
    sizes = [size for _, size in ok if size is not None]
    return {
        **percentiles([seconds for seconds, _ in ok]),
        "errors": len(errors),
        "firstErrors": errors[:3],
        "answerMean": round(statistics.mean(sizes), 1) if sizes else None,
        "answerMax": max(sizes) if sizes else None,
    }


def _latency(
    api: Api, accounts: list[workload.Account], rng: random.Random, args: argparse.Namespace
) -> dict[str, Any]:
    out: dict[str, Any] = {"pageSize": workload.PAGE_SIZE}
    for kind, draw in workload.QUESTIONS.items():
        for _ in range(args.warmup):
            _ask(api, draw(rng, accounts), args.token)
        count = args.who_can_requests if kind == "whoCan" else args.requests
        samples = [_ask(api, draw(rng, accounts), args.token) for _ in range(count)]
        out[kind] = {**_figures(samples), "query": draw(rng, accounts).query}
        _note(f"{kind:20} {line(out[kind])}")
    samples = [_review_organization(api, args.token) for _ in range(args.organization_reviews)]
    out["organizationTrustReview"] = {**_figures(samples), "query": workload.TRUSTS_OF_ORGANIZATION}
    _note(f"{'org trust review':20} {line(out['organizationTrustReview'])}")
    return out


def _throughput(api: Api, accounts: list[workload.Account], args: argparse.Namespace) -> dict[str, Any]:
    done: list[tuple[str, float, int | None, str | None]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(number: int) -> None:
        rng = random.Random(f"bench-scale-client:{args.seed}:{number}")
        while time.monotonic() < deadline:
            request = workload.mixed(rng, accounts)
            seconds, size, error = _ask(api, request, args.token)
            with lock:
                done.append((request.kind, seconds, size, error))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    kinds = {kind: _figures([(s, z, e) for k, s, z, e in done if k == kind]) for kind in workload.QUESTIONS}
    out = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": len(done),
        "requestsPerSecond": round(len(done) / elapsed, 2),
        "errors": sum(1 for *_, error in done if error is not None),
        "mix": {draw.__name__: weight for draw, weight in workload.MIX},
        "all": _figures([(s, z, e) for _, s, z, e in done]),
        **kinds,
    }
    _note(f"throughput {out['requestsPerSecond']:.1f} req/s with {args.clients} clients, {out['errors']} errors; "
          f"{line(out['all'])}")
    return out


def _during_load(
    api: Api, accounts: list[workload.Account], rng: random.Random, args: argparse.Namespace
) -> dict[str, Any]:
    """whoCanAssume on the even accounts' roles while `accessgraph load` rewrites the odd accounts.

    The same sequence of roles is asked before the load (baseline) and during it (from its start, cycling),
    so the two sets of figures compare the same questions; `baselineSameRoles` covers the roles asked during it.
    """
    queried, reloaded = (accounts[0::2], accounts[1::2]) if len(accounts) > 1 else (accounts, accounts)
    questions = [workload.who_can_assume(rng, queried) for _ in range(max(1, min(args.requests, 50)))]
    baseline = [_ask(api, question, args.token) for question in questions]
    samples: list[tuple[float, int | None, str | None]] = []

    def sample(done: threading.Event) -> None:
        while not done.is_set():
            samples.append(_ask(api, questions[len(samples) % len(questions)], args.token))

    load = _measure_load([account.file for account in reloaded], while_loading=sample)
    out: dict[str, Any] = {"queriedAccounts": len(queried), "reloadedAccounts": len(reloaded), "reload": load,
                           "baseline": _figures(baseline), "whileLoading": _figures(samples),
                           "baselineSameRoles": _figures(baseline[: len(samples)])}
    _note(f"during reload of {len(reloaded)} accounts ({load['wallSeconds']:.1f} s): {line(out['whileLoading'])}; "
          f"same roles before: {line(out['baselineSameRoles'])}")
    return out


# -- Neo4j ---------------------------------------------------------------------------------------------

def _neo4j_pid() -> int | None:
    if os.environ.get("NEO4J_URI"):
        return None  # an external server: its memory is not ours to read
    from service.database.local import LocalServer

    return LocalServer().pid()


def _restart_neo4j() -> None:
    """Stop and start the local server on the Bolt port it had (a bare `neo4j start` would take the default)."""
    if os.environ.get("NEO4J_URI"):
        raise SystemExit("--restart-neo4j restarts the local server; NEO4J_URI names an external one")
    from service.database.local import LocalServer
    from service.database.settings import read_credentials

    credentials = read_credentials(LocalServer().home)
    if credentials is None:
        raise SystemExit("--restart-neo4j: no local server here yet; run `accessgraph neo4j start` first")
    subprocess.run([ACCESSGRAPH, "neo4j", "stop"], check=True, capture_output=True)
    subprocess.run([ACCESSGRAPH, "neo4j", "start", "--bolt-port", str(credentials.bolt_port)], check=True,
                   capture_output=True)
    _note(f"restarted Neo4j on port {credentials.bolt_port} (memory {memory(_neo4j_pid())})")


def _store_size() -> float | None:
    """The local database's store files, in MiB: they never shrink, so this is the largest graph it has held."""
    if os.environ.get("NEO4J_URI"):
        return None
    from service.database.local import LocalServer

    data, database = LocalServer().home / "data", os.environ.get("NEO4J_DATABASE", "neo4j")
    files = list((data / "databases" / database).rglob("*"))
    return round(sum(path.stat().st_size for path in files if path.is_file()) / 2**20, 1)


def _neo4j_facts() -> dict[str, Any]:
    status = subprocess.run([ACCESSGRAPH, "neo4j", "status", "--json"], capture_output=True, text=True, check=False)
    try:
        report = json.loads(status.stdout)
    except ValueError:
        report = {}
    facts: dict[str, Any] = {"version": report.get("version"), "edition": report.get("edition"),
                             "uri": report.get("uri"), "external": bool(os.environ.get("NEO4J_URI"))}
    if not facts["external"]:
        from service.database.local import LocalServer

        conf = LocalServer().home / "conf" / "neo4j.conf"
        settings = {"server.memory.heap.max_size": "heap", "server.memory.pagecache.size": "pageCache"}
        for line in conf.read_text().splitlines() if conf.is_file() else ():
            key, _, value = line.partition("=")
            if key.strip() in settings:
                facts[settings[key.strip()]] = value.strip()
    return facts


def _driver() -> Any:
    from service.database import Neo4jSettings, connect

    settings = Neo4jSettings.resolve()
    return connect(settings), settings.database


def _graph_size() -> dict[str, Any]:
    from service.cypher import query

    driver, database = _driver()
    try:
        records, _, _ = driver.execute_query(query("bench_graph_size"), database_=database)
        return dict(records[0])
    finally:
        driver.close()


def _empty_graph() -> None:
    from service.cypher import query

    driver, database = _driver()
    try:
        with driver.session(database=database) as session:  # CALL ... IN TRANSACTIONS needs auto-commit
            session.run(query("bench_empty_graph")).consume()
    finally:
        driver.close()
    _note("emptied the graph (--empty-first)")


if __name__ == "__main__":
    sys.exit(main())
