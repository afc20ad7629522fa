"""The scale benchmark's figures as text: one block per size, and a markdown table across sizes."""

from __future__ import annotations

from typing import Any

from bench import scale_workload as workload

_LATENCIES = ("whoCanAssume", "whoCan", "crossAccountTrusts", "whileLoading", "baselineSameRoles")


def line(figures: dict[str, Any]) -> str:
    if not figures.get("n"):
        return f"no answers ({figures.get('errors', 0)} errors: {figures.get('firstErrors')})"
    return (f"p50 {figures['p50']:8.1f} ms  p95 {figures['p95']:8.1f} ms  p99 {figures['p99']:8.1f} ms  "
            f"n={figures['n']} errors={figures['errors']} "
            f"answer mean {figures['answerMean']} max {figures['answerMax']}")


def size_report(result: dict[str, Any]) -> str:
    rows = [f"  {key:22} {value}" for key, value in _rows(result)]
    return "\n".join([f"-- {result['size']:,} principals", *rows])


def _rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    generated = result.get("generate")
    if generated:
        rows.append(("generate", f"{generated['seconds']:.1f} s, {generated['bytes'] / 1e6:.1f} MB"))
    for section in ("load", "reload"):
        load = result.get(section)
        if not load:
            continue
        rows.append((f"{section} wall", f"{load['wallSeconds']:.1f} s (writes {load['writeSeconds']:.1f} s), "
                                        f"{load['entitiesPerSecond']:,.0f} entities/s ({load['entities']:,} entities)"))
        rows.append(("  loader peak RSS", f"{load['loaderPeakMiB']:,.0f} MiB"))
        if load.get("neo4j"):
            n = load["neo4j"]
            rows.append(("  Neo4j RSS", f"{n['rssBeforeMiB']} → {n['rssAfterMiB']} MiB (peak during the load "
                                        f"{n['rssPeakDuringLoadMiB']} MiB; VmHWM since start "
                                        f"{n['peakSinceStartMiB']})"))
    graph = result.get("graph")
    if graph:
        store = f", store {graph['storeMiB']:,.0f} MiB" if graph.get("storeMiB") else ""
        rows.append(("graph", f"{graph['nodes']:,} nodes, {graph['relationships']:,} relationships{store}"))
    latency = result.get("latency") or {}
    for kind in (*workload.QUESTIONS, "organizationTrustReview"):
        if kind in latency:
            rows.append((kind, line(latency[kind])))
    throughput = result.get("throughput")
    if throughput:
        rows.append(("throughput", f"{throughput['requestsPerSecond']:.1f} req/s, {throughput['clients']} clients, "
                                   f"{throughput['errors']} errors; {line(throughput['all'])}"))
    during = result.get("duringLoad")
    if during:
        rows.append(("whoCanAssume in reload", line(during["whileLoading"])))
        rows.append(("  same roles before", line(during.get("baselineSameRoles") or during["baseline"])))
    return rows


def summary_table(results: list[dict[str, Any]]) -> str:
    def cell(result: dict[str, Any], path: str, unit: str = "") -> str:
        value: Any = result
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            return "—"
        return f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"

    metrics = (
        ("load wall (s)", "load.wallSeconds"), ("entities/s", "load.entitiesPerSecond"),
        ("loader peak RSS (MiB)", "load.loaderPeakMiB"), ("Neo4j RSS after load (MiB)", "load.neo4j.rssAfterMiB"),
        ("reload over itself (s)", "reload.wallSeconds"),
        ("Neo4j VmHWM after reload (MiB)", "reload.neo4j.peakSinceStartMiB"),
        ("whoCanAssume p50/p99 (ms)", "latency.whoCanAssume"), ("whoCan p50/p99 (ms)", "latency.whoCan"),
        ("crossAccountTrusts p50/p99 (ms)", "latency.crossAccountTrusts"),
        ("org trust review p50 (ms)", "latency.organizationTrustReview.p50"),
        ("throughput (req/s)", "throughput.requestsPerSecond"),
        ("whoCanAssume during reload p50/p99 (ms)", "duringLoad.whileLoading"),
        ("same roles before the reload p50/p99 (ms)", "duringLoad.baselineSameRoles"),
        ("errors during reload", "duringLoad.whileLoading.errors"),
    )
    header = "| metric | " + " | ".join(f"{r['size']:,}" for r in results) + " |"
    lines = [header, "|---|" + "---|" * len(results)]
    for label, path in metrics:
        cells = []
        for result in results:
            if path.split(".")[-1] in _LATENCIES:
                cells.append(f"{cell(result, path + '.p50')} / {cell(result, path + '.p99')}")
            else:
                cells.append(cell(result, path))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n" + "\n".join(lines)
