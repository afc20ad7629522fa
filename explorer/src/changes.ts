// The "changes since" view: what `changes(since, accountId)` reports, section by section, each ARN a click
// away from the graph (docs/history.md). It asks first without access (read from the facts that differ: quick
// at any size), and for who gained or lost each role when asked to (seconds from the loads' access records; far
// longer where a load has none, and the answer says why).
import { post } from "./api";
import { h, prettyJson } from "./dom";

export interface StatementChange {
  change: string;
  sid?: string | null;
  before?: string | null;
  after?: string | null;
}
export interface DocumentChange {
  unitId: string;
  kind: string;
  arn: string;
  name?: string | null;
  versionBefore?: string | null;
  versionAfter?: string | null;
  statements: StatementChange[];
}
export interface Changes {
  since: string;
  loads: { unit: string; unitId: string; beforeId?: string | null; afterId?: string | null }[];
  entities: { unitId: string; kind: string; arn: string; name?: string | null; change: string }[];
  documents: DocumentChange[];
  trusts: DocumentChange[];
  memberships: { unitId: string; kind: string; source: string; target: string; change: string }[];
  attachments: { unitId: string; kind: string; source: string; target: string; change: string }[];
  access: { role: string; principal: string; principalKind: string; change: string; hopsBefore?: number | null; hopsAfter?: number | null }[];
  accessGroups: AccessGroup[];
  admins: { principal: string; change: string }[];
  accessCompared: boolean;
  accessMethod: string;
  accessNote?: string | null;
}
export interface AccessGroup {
  principals: string[];
  principalCount: number;
  changes: { change: string; hopsBefore?: number | null; hopsAfter?: number | null; roles: string[]; roleCount: number }[];
}

const DOCUMENT = "unitId kind arn name versionBefore versionAfter statements { change sid before after }";
const LINK = "unitId kind source target change";
export const CHANGES_QUERY = `query Changes($since: String!, $accountId: String, $access: Boolean!) {
  changes(since: $since, accountId: $accountId, access: $access) {
    since loads { unit unitId beforeId afterId } entities { unitId kind arn name change }
    documents { ${DOCUMENT} } trusts { ${DOCUMENT} } memberships { ${LINK} } attachments { ${LINK} }
    access { role principal principalKind change hopsBefore hopsAfter }
    accessGroups { principals principalCount changes { change hopsBefore hopsAfter roles roleCount } }
    admins { principal change } accessCompared accessMethod accessNote } }`;

export function fetchChanges(since: string, accountId: string | null, access: boolean): Promise<Changes> {
  return post<{ changes: Changes }>(CHANGES_QUERY, { since, accountId, access }).then((d) => d.changes);
}

type Focus = (arn: string) => void;

function arnLink(arn: string, focus: Focus): HTMLElement {
  const name = arn.includes("/") ? arn.slice(arn.lastIndexOf("/") + 1) : arn;
  return h("button", { type: "button", class: "node-link", title: arn, onclick: () => focus(arn) }, name);
}

function badge(change: string): HTMLElement {
  return h("span", { class: `change change-${change}`, "data-change": change }, change);
}

function section(title: string, rows: HTMLElement[]): HTMLElement | null {
  if (rows.length === 0) return null;
  return h("section", { class: "changes-section", "data-testid": "changes-section", "aria-label": title },
    h("h3", {}, `${title} (${rows.length})`), h("ul", {}, rows));
}

function statements(change: DocumentChange): HTMLElement {
  return h("ul", { class: "statements" }, change.statements.map((s) =>
    h("li", {}, badge(s.change), s.sid ? ` ${s.sid}` : "",
      s.before ? h("pre", { class: "statement before", "aria-label": "before" }, prettyJson(s.before)) : null,
      s.after ? h("pre", { class: "statement after", "aria-label": "after" }, prettyJson(s.after)) : null)));
}

const SHOWN_PRINCIPALS = 5;  // (a group may hold thousands: the rest are counted, every one is in the json)

function group(g: AccessGroup, focus: Focus, hops: (n?: number | null) => string): HTMLElement {
  const shown = g.principals.slice(0, SHOWN_PRINCIPALS);
  const more = g.principalCount - shown.length;
  const who: (HTMLElement | string)[] = [];
  shown.forEach((arn, i) => { if (i) who.push(", "); who.push(arnLink(arn, focus)); });
  if (more > 0) who.push(` and ${more.toLocaleString()} more`);
  return h("li", { "data-testid": "access-group", "data-principals": g.principals.join(" ") },
    h("div", { class: "access-group-who" }, ...who),
    h("ul", {}, g.changes.flatMap((c) => c.roles.map((role) =>
      h("li", { "data-testid": "access-change", "data-role": role }, badge(c.change), " ", arnLink(role, focus),
        ` (${hops(c.hopsBefore)} → ${hops(c.hopsAfter)})`)))));
}

export function renderChanges(changes: Changes, focus: Focus, compareAccess: () => void): HTMLElement {
  const hops = (n?: number | null) => (n ? `${n} hop${n > 1 ? "s" : ""}` : "–");
  const parts = [
    section("Access", changes.accessGroups.map((g) => group(g, focus, hops))),
    section("Admins", changes.admins.map((a) => h("li", {}, badge(a.change), " ", arnLink(a.principal, focus)))),
    section("Entities", changes.entities.map((e) =>
      h("li", { "data-testid": "entity-change", "data-arn": e.arn }, badge(e.change), ` ${e.kind} `, arnLink(e.arn, focus)))),
    section("Trust policies", changes.trusts.map((t) =>
      h("li", { "data-testid": "trust-change", "data-arn": t.arn }, arnLink(t.arn, focus), statements(t)))),
    section("Policy documents", changes.documents.map((d) =>
      h("li", { "data-testid": "document-change", "data-arn": d.arn }, arnLink(d.arn, focus),
        d.versionBefore !== d.versionAfter ? ` ${d.versionBefore ?? "–"} → ${d.versionAfter ?? "–"}` : "", statements(d)))),
    section("Memberships", changes.memberships.map((m) =>
      h("li", { "data-testid": "membership-change" }, badge(m.change), " ", arnLink(m.source, focus), " in ", arnLink(m.target, focus)))),
    section("Attachments", changes.attachments.map((m) =>
      h("li", {}, badge(m.change), ` ${m.kind} `, arnLink(m.target, focus), " on ", arnLink(m.source, focus)))),
  ].filter((part): part is HTMLElement => part !== null);
  const notCompared = changes.accessCompared ? null : h("p", { class: "muted", "data-testid": "access-not-compared" },
    "Who gained or lost each role, and who became an admin, are not compared yet: they are read from the access "
    + "records the loads made (seconds), or decided again where a load has none (far longer). ",
    h("button", { type: "button", onclick: compareAccess }, "Compare access"));
  const note = changes.accessNote ? h("p", { class: "muted", "data-testid": "access-note" },
    `Access was decided again in both loads: ${changes.accessNote}.`) : null;
  return h("section", { class: "changes", "data-testid": "changes" },
    h("h2", {}, `Changes since ${changes.since}`), notCompared, note,
    parts.length ? parts : h("p", { "data-testid": "no-changes" }, "Nothing changed."));
}
