// The side panel's contents: an answer (principals, paths, statements, condition badges) and node details.
import type { Access, ConditionTest, CrossAccountTrust, Entity, NodeRef, Path, PolicyDocument } from "./api";
import { h, prettyJson } from "./dom";
import { describe, isEscalation, technique } from "./escalation";
import { conditionBadge, displayName, kindStyle } from "./kinds";

/** How many principals an answer lists before a "show more" button. */
export const ANSWER_PAGE = 50;

export interface PanelActions {
  focus(arn: string): void;
  showMore?(): void;
  /** A short status shown beside each principal of an answer (the Admins view: administrator or not yet). */
  badge?(access: Access): string | null;
}

function nodeLink(node: NodeRef, actions: PanelActions): HTMLElement {
  return h(
    "button",
    { type: "button", class: "node-link", title: node.arn, onclick: () => actions.focus(node.arn) },
    h("span", { class: "swatch", style: `background:${kindStyle(node.kind).color}`, "aria-hidden": "true" }),
    displayName(node),
  );
}

export function conditionBadges(conditions: ConditionTest[]): HTMLElement | null {
  if (conditions.length === 0) return null;
  const seen = new Set<string>();
  const badges: HTMLElement[] = [];
  for (const c of conditions) {
    const label = `${c.negated ? "not " : ""}${conditionBadge(c.key)}`;
    if (seen.has(label)) continue;
    seen.add(label);
    const detail = `${c.key} ${c.operator} ${c.values.join(", ")}${c.policy ? ` (${c.policy})` : ""}`;
    badges.push(h("li", { class: "badge", title: detail, "data-testid": "condition-badge", "data-key": c.key }, label));
  }
  return h("ul", { class: "badges", "aria-label": "Conditions" }, badges);
}

function statementBlock(statement: string, label: string): HTMLElement {
  return h(
    "figure",
    { class: "statement" },
    h("figcaption", {}, label),
    h("pre", { "data-testid": "statement", tabindex: "0" }, prettyJson(statement)),
  );
}

function pathList(path: Path, actions: PanelActions): HTMLElement {
  return h(
    "ol",
    { class: "path", "aria-label": "Path" },
    path.steps.map((step) =>
      h(
        "li",
        { "data-testid": "path-step" },
        nodeLink(step.from, actions),
        h("span", { class: "step-kind" }, ` ${step.kind}${step.via ? ` via ${step.via}` : ""} → `),
        nodeLink(step.to, actions),
        isEscalation(step) && step.technique ? techniqueNote(step.technique) : null,
        step.statement
          ? statementBlock(step.statement, isEscalation(step) ? "Granting statement of each required action" : `Granting statement (${step.kind})`)
          : null,
      ),
    ),
  );
}

function techniqueNote(id: string): HTMLElement {
  const notes = technique(id)?.notes;
  return h(
    "p",
    { class: "technique", "data-testid": "technique", "data-technique": id },
    h("strong", {}, "Technique "),
    describe(id),
    notes ? h("span", { class: "muted" }, ` (${notes})`) : null,
  );
}

function accessItem(access: Access, actions: PanelActions): HTMLElement {
  const paths = access.paths.slice(0, 5);
  const badge = actions.badge?.(access);
  return h(
    "li",
    { class: "access", "data-testid": "answer-principal", "data-arn": access.principal.arn },
    h(
      "h3",
      {},
      nodeLink(access.principal, actions),
      h("span", { class: "kind" }, access.principal.kind),
      badge ? h("span", { class: "badge status", "data-testid": "admin-status" }, badge) : null,
    ),
    h("p", { class: "arn" }, access.principal.arn),
    conditionBadges(access.conditions),
    access.hops ? h("p", { class: "muted" }, `${access.hops} role assumption${access.hops === 1 ? "" : "s"} away`) : null,
    access.conditionText ? h("p", { class: "condition-text" }, h("strong", {}, "Only if: "), access.conditionText) : null,
    access.notes.length ? h("ul", { class: "notes", "aria-label": "Notes" }, access.notes.map((n) => h("li", {}, n))) : null,
    paths.map((p) => pathList(p, actions)),
    access.paths.length > paths.length ? h("p", { class: "muted" }, `${access.paths.length - paths.length} more paths`) : null,
  );
}

/** The answer to a question: the principals loaded so far, of `total`, with "show more" while there are more. */
export function renderAnswer(title: string, accesses: Access[], total: number, hasMore: boolean, actions: PanelActions): HTMLElement {
  return h(
    "section",
    { class: "answer", "aria-label": "Answer", "data-testid": "answer" },
    h("h2", {}, title),
    h(
      "p",
      { role: "status" },
      total === 0
        ? "No principal can, as far as the graph shows."
        : `${total} principal${total === 1 ? "" : "s"}${accesses.length < total ? ` (${accesses.length} shown)` : ""}`,
    ),
    h("ul", { class: "accesses" }, accesses.map((a) => accessItem(a, actions))),
    hasMore && actions.showMore
      ? h("button", { type: "button", class: "show-more", onclick: () => actions.showMore?.() }, `Show more (${total - accesses.length} left)`)
      : null,
  );
}

function trustItem(trust: CrossAccountTrust, actions: PanelActions): HTMLElement {
  const flags = [
    trust.outsideOrganization ? "outside the organization" : null,
    trust.trustedAccountLoaded ? null : "account not loaded",
    trust.hasExternalId ? null : "no ExternalId",
    trust.requiresMfa ? null : "no MFA",
  ].filter((f): f is string => f !== null);
  return h(
    "li",
    { class: "access", "data-testid": "trust", "data-arn": trust.role.arn },
    h("h3", {}, nodeLink(trust.trusted, actions), h("span", { class: "step-kind" }, " may assume "), nodeLink(trust.role, actions)),
    conditionBadges(trust.conditions),
    flags.length ? h("ul", { class: "badges", "aria-label": "Warnings" }, flags.map((f) => h("li", { class: "badge warn" }, f))) : null,
    trust.conditionText ? h("p", { class: "condition-text" }, h("strong", {}, "Only if: "), trust.conditionText) : null,
    trust.statement ? statementBlock(trust.statement, "Trust statement") : null,
  );
}

/** Every role trusting a principal outside its own account. */
export function renderTrusts(trusts: CrossAccountTrust[], actions: PanelActions): HTMLElement {
  return h(
    "section",
    { class: "answer", "aria-label": "Cross-account trusts", "data-testid": "answer" },
    h("h2", {}, "Cross-account trusts"),
    h("p", { role: "status" }, trusts.length === 0 ? "No role trusts another account." : `${trusts.length} trust${trusts.length === 1 ? "" : "s"} across accounts`),
    h("ul", { class: "accesses" }, trusts.map((t) => trustItem(t, actions))),
  );
}

function policyItem(policy: PolicyDocument, label?: string): HTMLElement {
  return h(
    "li",
    { class: "policy" },
    h(
      "details",
      {},
      h(
        "summary",
        {},
        label ? `${label}: ` : "",
        policy.name,
        h("span", { class: "kind" }, ` ${policy.kind}${policy.via ? ` via ${policy.via}` : ""}`),
      ),
      h("p", { class: "arn" }, policy.arn),
      policy.document
        ? h("pre", { tabindex: "0" }, prettyJson(policy.document))
        : h("p", { class: "muted" }, policy.known ? "no document" : "unknown policy (not in the loaded data)"),
    ),
  );
}

function properties(text: string | null | undefined): HTMLElement | null {
  if (!text) return null;
  let object: Record<string, unknown>;
  try {
    object = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return h("pre", {}, text);
  }
  const rows = Object.entries(object).filter(([, v]) => v !== null && v !== "" && !(typeof v === "string" && v.startsWith("{")));
  if (rows.length === 0) return null;
  return h(
    "dl",
    { class: "properties" },
    rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "string" ? v : JSON.stringify(v))]),
  );
}

export interface DetailActions extends PanelActions {
  expand(arn: string): void;
  askAssume(arn: string): void;
  askWhoCan(arn: string): void;
}

/** Everything known about one node: its properties, policies and their documents, trust, boundary, use. */
export function renderDetails(entity: Entity, more: { shown: number; total: number; hasMore: boolean } | null, actions: DetailActions): HTMLElement {
  const node = entity.node;
  return h(
    "section",
    { class: "details", "aria-label": "Details", "data-testid": "details" },
    h("h2", {}, h("span", { class: "swatch", style: `background:${kindStyle(node.kind).color}`, "aria-hidden": "true" }), displayName(node)),
    h("p", { class: "arn" }, node.arn),
    h("p", {}, h("span", { class: "kind" }, node.kind), node.accountId ? ` in account ${node.accountId}` : ""),
    h(
      "div",
      { class: "actions" },
      more && !more.hasMore
        ? h("button", { type: "button", disabled: true }, `All ${more.total} neighbours shown`)
        : h("button", { type: "button", onclick: () => actions.expand(node.arn) }, more ? `Show more neighbours (${more.shown} of ${more.total} shown)` : "Expand neighbours"),
      node.kind === "role" ? h("button", { type: "button", onclick: () => actions.askAssume(node.arn) }, "Who can assume this role?") : null,
      h("button", { type: "button", onclick: () => actions.askWhoCan(node.arn) }, "Who can act on this?"),
    ),
    h("h3", {}, "Last used"),
    h("p", { "data-testid": "last-used" }, entity.lastUsed ?? "never, or not recorded"),
    entity.groups.length ? [h("h3", {}, "Groups"), h("ul", { class: "plain" }, entity.groups.map((g) => h("li", {}, nodeLink(g, actions))))] : null,
    h("h3", {}, `Policies (${entity.policies.length})`),
    entity.policies.length ? h("ul", { class: "plain" }, entity.policies.map((p) => policyItem(p))) : h("p", { class: "muted" }, "none"),
    entity.boundary ? [h("h3", {}, "Permissions boundary"), h("ul", { class: "plain" }, policyItem(entity.boundary))] : null,
    entity.trustPolicy ? [h("h3", {}, "Trust policy"), h("pre", { tabindex: "0", "data-testid": "trust-policy" }, prettyJson(entity.trustPolicy))] : null,
    (() => {
      const props = properties(entity.properties);
      return props ? [h("h3", {}, "Properties"), props] : null;
    })(),
  );
}
