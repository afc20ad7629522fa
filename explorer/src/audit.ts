// The Audit view (#16): where the loaded accounts depart from the tutorial's best practices. A summary by
// severity and by category, filters, then each finding with its evidence, its CIS control and a link to its
// entity; the checks the loaded data could not decide are listed too (they did not pass).
import { auditApi } from "./api";
import type { Finding, FindingPage, UncheckedCheck } from "./api";
import { h } from "./dom";

/** Findings fetched per request, and at most this many shown (the counts always cover them all). */
const PAGE = 500;
const SHOWN = 5000;
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;

export interface AuditActions {
  /** Shows the entity in the graph (an ARN, or an account id). */
  focus(arn: string): void;
}

/** Every finding up to SHOWN (page after page) and the checks that could not run. */
export async function loadAudit(): Promise<{ findings: Finding[]; total: number; unchecked: UncheckedCheck[] }> {
  const findings: Finding[] = [];
  let page: FindingPage | null = null;
  do {
    page = await auditApi.findings(PAGE, page?.endCursor);
    findings.push(...page.items);
  } while (page.hasMore && findings.length < SHOWN);
  return { findings, total: page.totalCount, unchecked: page.unchecked };
}

function count<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The graph node to show for a finding: the root user and a trail are shown through their account. */
function target(finding: Finding): string {
  return finding.entity.kind === "root" || finding.entity.kind === "trail" ? finding.accountId : finding.entity.arn;
}

function evidenceList(text: string): HTMLElement {
  let evidence: Record<string, unknown> = {};
  try {
    evidence = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return h("pre", {}, text);
  }
  return h(
    "dl",
    { class: "evidence", "data-testid": "evidence" },
    Object.entries(evidence).flatMap(([field, value]) => [h("dt", {}, field), h("dd", {}, value === null ? "—" : String(value))]),
  );
}

function findingItem(finding: Finding, actions: AuditActions): HTMLElement {
  return h(
    "li",
    { class: "finding", "data-testid": "finding", "data-category": finding.category, "data-severity": finding.severity, "data-arn": finding.entity.arn },
    h("h3", {}, h("span", { class: `badge severity-${finding.severity}` }, finding.severity), " ", finding.category),
    h(
      "button",
      { type: "button", class: "node-link", title: finding.entity.arn, "data-testid": "finding-entity", onclick: () => actions.focus(target(finding)) },
      `${finding.entity.kind}: ${finding.entity.arn}`,
    ),
    evidenceList(finding.evidence),
    h("p", {}, h("strong", {}, "Do: "), finding.recommendation),
    finding.cis ? h("p", { class: "muted" }, `CIS AWS Foundations Benchmark v3.0.0: ${finding.cis}`) : null,
  );
}

function summary(findings: Finding[]): HTMLElement {
  const bySeverity = count(findings, (f) => f.severity);
  const byCategory = count(findings, (f) => f.category);
  return h(
    "div",
    { class: "audit-summary" },
    h("ul", { class: "badges", "aria-label": "Findings by severity" }, SEVERITIES.map((s) =>
      h("li", { class: `badge severity-${s}`, "data-testid": "severity-count", "data-severity": s }, `${s}: ${bySeverity.get(s) ?? 0}`),
    )),
    h("table", { "aria-label": "Findings by category" },
      h("thead", {}, h("tr", {}, h("th", {}, "category"), h("th", {}, "findings"))),
      h("tbody", {}, [...byCategory].map(([category, n]) =>
        h("tr", { "data-testid": "category-count", "data-category": category }, h("td", {}, category), h("td", {}, String(n))),
      )),
    ),
  );
}

function select(label: string, id: string, values: string[], onChange: (value: string) => void): HTMLElement {
  const control = h("select", { id, onchange: (event: Event) => onChange((event.target as HTMLSelectElement).value) },
    h("option", { value: "" }, "all"), values.map((v) => h("option", { value: v }, v)));
  return h("label", { for: id }, `${label} `, control);
}

/** The Audit panel: summary, filters (category, severity), the findings, then the checks that could not run. */
export function renderAudit(findings: Finding[], total: number, unchecked: UncheckedCheck[], actions: AuditActions): HTMLElement {
  const list = h("ul", { class: "findings", "aria-label": "Findings" });
  const filter = { category: "", severity: "" };
  const show = (): void => {
    const shown = findings.filter((f) => (!filter.category || f.category === filter.category) && (!filter.severity || f.severity === filter.severity));
    list.replaceChildren(...shown.map((f) => findingItem(f, actions)));
  };
  show();
  const categories = [...new Set(findings.map((f) => f.category))];
  return h(
    "section",
    { class: "answer audit", "aria-label": "Audit", "data-testid": "audit" },
    h("h2", {}, "Audit"),
    h("p", { role: "status" }, total === 0 ? "No findings." : `${total} finding${total === 1 ? "" : "s"}${findings.length < total ? ` (the first ${findings.length} shown)` : ""}`),
    summary(findings),
    h("div", { class: "filters" },
      select("Category", "audit-category", categories, (v) => { filter.category = v; show(); }),
      select("Severity", "audit-severity", [...SEVERITIES], (v) => { filter.severity = v; show(); }),
    ),
    list,
    unchecked.length
      ? h("section", { "aria-label": "Checks that could not run" },
          h("h3", {}, "Checks that could not run (not passed)"),
          h("ul", { class: "notes" }, unchecked.map((u) =>
            h("li", { "data-testid": "unchecked", "data-category": u.category }, `${u.category} (${u.accountId}): ${u.reason}`))),
        )
      : null,
  );
}
