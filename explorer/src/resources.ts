// The external-access view (#14): every loaded resource and role granting principals outside its account,
// drawn as resource → grantee edges and listed with who, actions, conditions and categories.
import "./resources.css";

import { api } from "./api";
import type { ExternalAccessFinding, NodeRef } from "./api";
import { h, prettyJson } from "./dom";
import type { GraphView } from "./graph";
import { conditionBadges } from "./panel";
import { displayName, kindStyle } from "./kinds";

/** Findings fetched per page of the view. */
const PAGE = 500;

/** What the view needs from the page: the graph, the panel, and the page's own task and focus handling. */
export interface ExternalAccessHost {
  graph: GraphView;
  panel: HTMLElement;
  task<T>(work: () => Promise<T>): Promise<T | undefined>;
  focus(arn: string): void;
  /** Takes the panel's turn; `current(turn)` says whether it is still the latest. */
  turn(): number;
  current(turn: number): boolean;
  drawn(): void;
}

export async function showExternalAccess(host: ExternalAccessHost, category: string | null = null): Promise<void> {
  const turn = host.turn();
  await host.task(async () => {
    const findings: ExternalAccessFinding[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      const page = await api.externalAccess(PAGE, after, category);
      findings.push(...page.items);
      total = page.totalCount;
      after = page.endCursor ?? null;
    } while (after !== null && findings.length < 5 * PAGE);
    if (!host.current(turn)) return;
    const { graph } = host;
    const added: string[] = [];
    const ids: string[] = [];
    for (const finding of findings) {
      added.push(...graph.addNodes([finding.resource, finding.principal]));
      ids.push(...graph.addSteps([{ from: finding.resource, to: finding.principal, kind: "grants" }]));
    }
    graph.highlight(ids, []);
    if (graph.big) graph.placeNew(added, ids);
    else graph.layout(ids);
    host.drawn();
    host.panel.replaceChildren(renderExternalAccess(findings, total, category, host));
  });
}

function link(node: NodeRef, host: ExternalAccessHost): HTMLElement {
  return h(
    "button",
    { type: "button", class: "node-link", title: node.arn, onclick: () => host.focus(node.arn) },
    h("span", { class: "swatch", style: `background:${kindStyle(node.kind).color}`, "aria-hidden": "true" }),
    displayName(node),
  );
}

function findingItem(finding: ExternalAccessFinding, host: ExternalAccessHost): HTMLElement {
  return h(
    "li",
    { class: "access", "data-testid": "external-access", "data-arn": finding.resource.arn },
    h(
      "h3",
      {},
      link(finding.resource, host),
      h("span", { class: "step-kind" }, ` (${kindStyle(finding.resource.kind).label}) grants `),
      link(finding.principal, host),
      h("span", { class: "step-kind" }, ` (${finding.who})`),
    ),
    h("p", { class: "actions" }, h("strong", {}, "Actions: "), finding.actions.join(", ") || "(none listed)"),
    h(
      "ul",
      { class: "badges categories", "aria-label": "Categories" },
      finding.categories.map((c) => h("li", { class: `badge warn ${c}` }, c)),
    ),
    conditionBadges(finding.conditions),
    finding.conditionText ? h("p", { class: "condition-text" }, h("strong", {}, "Only if: "), finding.conditionText) : null,
    finding.statement
      ? h(
          "figure",
          { class: "statement" },
          h("figcaption", {}, "Statement"),
          h("pre", { "data-testid": "statement", tabindex: "0" }, prettyJson(finding.statement)),
        )
      : null,
  );
}

export function renderExternalAccess(
  findings: ExternalAccessFinding[],
  total: number,
  category: string | null,
  host: ExternalAccessHost,
): HTMLElement {
  const status =
    total === 0
      ? "No loaded resource or role grants a principal outside its account."
      : `${total} grant${total === 1 ? "" : "s"} outside the account${findings.length < total ? ` (first ${findings.length} shown)` : ""}`;
  const filters = ["all", "outside-account", "outside-organization", "public", "service-without-source-condition"];
  return h(
    "section",
    { class: "answer external-access", "aria-label": "External access", "data-testid": "answer" },
    h("h2", {}, "External access"),
    h(
      "p",
      { class: "filters" },
      filters.map((f) =>
        h(
          "button",
          {
            type: "button",
            class: "node-link",
            "aria-pressed": String((category ?? "all") === f),
            onclick: () => void showExternalAccess(host, f === "all" ? null : f),
          },
          f,
        ),
      ),
    ),
    h("p", { role: "status" }, status),
    h("ul", { class: "accesses" }, findings.map((f) => findingItem(f, host))),
  );
}
