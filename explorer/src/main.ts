// The explorer page: wires the search, the questions, the graph and the side panel together.
import "./explorer.css";

import { ApiError, AuthRequired, api, token } from "./api";
import type { Access, AccessPage, NodeRef } from "./api";
import { byId, download, h } from "./dom";
import { GraphView, MAX_NODES } from "./graph";
import { adminStatus, wireAdmins } from "./admins";
import { loadTechniques, titleSuffix } from "./escalation";
import { ACCOUNT_STYLE, KINDS, displayName } from "./kinds";
import { ANSWER_PAGE, renderAnswer, renderDetails, renderTrusts } from "./panel";
import { showExternalAccess } from "./resources";
import { SearchBox } from "./search";
import { fetchChanges, renderChanges } from "./changes";
import { renderLanding } from "./landing";
import { loadAudit, renderAudit } from "./audit";

/** Neighbours fetched per expansion ("show more" fetches the next page). */
const NEIGHBOUR_PAGE = 50;

interface Expansion {
  cursor: string | null;
  shown: number;
  total: number;
  hasMore: boolean;
}

interface Answer {
  title: string;
  admins?: boolean; // the Admins view: each principal says whether it is an administrator already
  accesses: Access[];
  total: number;
  hasMore: boolean;
  cursor: string | null;
  next: (after: string | null) => Promise<AccessPage>;
}

const panelBody = byId<HTMLDivElement>("panel-body");
const message = byId<HTMLDivElement>("message");
const busy = byId<HTMLDivElement>("busy");
const viewCount = byId<HTMLParagraphElement>("view-count");
const highlightedList = byId<HTMLUListElement>("highlighted-list");

const expansions = new Map<string, Expansion>();
let answer: Answer | null = null;
let pending = 0;
let panelTurn = 0; // each thing that will fill the panel takes a turn; only the latest may fill it

const graph = new GraphView(byId("graph"), {
  onSelect: (arn) => {
    if (arn) void showDetails(arn);
  },
  onExpand: (arn) => {
    if (!expansions.has(arn)) void expand(arn);
  },
});

function askForToken(): void {
  const form = byId<HTMLFormElement>("auth-form");
  form.hidden = false;
  byId<HTMLInputElement>("auth-token").focus();
}

/** Shows an error in the alert region (and the token form when the server wants one). */
function report(error: unknown): void {
  if (error instanceof AuthRequired) askForToken();
  say(error instanceof ApiError ? error.message : `unexpected error: ${(error as Error).message}`);
}

function say(text: string | null): void {
  message.hidden = !text;
  message.textContent = text ?? "";
}

/** Runs one API task with the busy indicator on, reporting its error in the alert region. */
async function task<T>(work: () => Promise<T>): Promise<T | undefined> {
  pending += 1;
  busy.hidden = false;
  document.body.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (error) {
    report(error);
    return undefined;
  } finally {
    pending -= 1;
    busy.hidden = pending === 0;
    if (pending === 0) document.body.removeAttribute("aria-busy");
  }
}

function updateCounts(): void {
  const nodes = graph.cy.nodes().length;
  const edges = graph.cy.edges().length;
  viewCount.textContent = nodes === 0 ? "Empty: search for something to start." : `${nodes} nodes, ${edges} edges in view (cap ${MAX_NODES}).`;
  const lit = graph.cy.nodes(".highlighted");
  highlightedList.replaceChildren(...lit.map((n) => h("li", { "data-arn": n.data("arn") }, n.data("label"))));
}

async function expand(arn: string): Promise<void> {
  const previous = expansions.get(arn);
  if (previous && !previous.hasMore) return;
  if (graph.size >= MAX_NODES) {
    say(`The view holds ${graph.size} nodes, its cap: clear the view or ask a question to narrow it.`);
    return;
  }
  await task(async () => {
    const hood = await api.neighbours(arn, NEIGHBOUR_PAGE, previous?.cursor);
    const added = graph.addNodes([hood.center, ...hood.nodes]);
    graph.addEdges(hood.edges);
    const shown = (previous?.shown ?? 0) + hood.nodes.length;
    expansions.set(arn, { cursor: hood.endCursor ?? null, shown, total: hood.totalCount, hasMore: hood.hasMore });
    graph.setMore(arn, hood.hasMore ? hood.totalCount - shown : 0);
    if (answer) graph.highlight(graph.cy.elements(".highlighted").map((e) => e.id()), answerPrincipals());
    const focusIds = [graph.idOf(arn), ...added];
    if (graph.big) graph.placeNew(added, focusIds);
    else graph.layout(focusIds);
    graph.select(arn);
    updateCounts();
  });
}

/** Puts `arn` (and its first neighbours) in view, selects it and shows its details. */
async function focus(arn: string, known?: NodeRef): Promise<void> {
  say(null);
  history.replaceState(null, "", `#arn=${encodeURIComponent(arn)}`);
  if (graph.cy.getElementById(graph.idOf(arn)).empty() || !expansions.has(arn)) await expand(arn);
  if (known && graph.cy.getElementById(graph.idOf(arn)).empty()) {
    // its neighbours could not be had: show the node alone rather than nothing
    graph.layout(graph.addNodes([known]));
    updateCounts();
  }
  graph.select(arn);
  const node = graph.cy.getElementById(graph.idOf(arn));
  if (node.nonempty()) graph.cy.animate({ center: { eles: node }, duration: 200 });
  await showDetails(arn);
}

async function showDetails(arn: string): Promise<void> {
  const turn = ++panelTurn;
  await task(async () => {
    const entity = await api.entity(arn);
    if (turn !== panelTurn) return; // something newer owns the panel
    if (!entity) {
      panelBody.replaceChildren(h("section", { class: "details" }, h("h2", {}, arn), h("p", { class: "muted" }, "Nothing more is known about this node.")));
      return;
    }
    const expansion = expansions.get(arn);
    panelBody.replaceChildren(
      renderDetails(entity, expansion ? { shown: expansion.shown, total: expansion.total, hasMore: expansion.hasMore } : null, {
        focus: (target) => void focus(target),
        expand: (target) => void expand(target).then(() => showDetails(target)),
        askAssume: (target) => {
          byId<HTMLInputElement>("assume-role").value = target;
          void askAssume();
        },
        askWhoCan: (target) => {
          byId<HTMLInputElement>("whocan-resource").value = target;
          byId<HTMLInputElement>("whocan-action").focus();
        },
      }),
    );
  });
}

function answerPrincipals(): string[] {
  return answer ? answer.accesses.map((a) => a.principal.arn) : [];
}

/** Draws the shown principals' paths, highlights them and lists the answer in the panel. */
function showAnswer(): void {
  if (!answer) return;
  const shown = answer.accesses;
  const ids: string[] = [];
  const added: string[] = [];
  for (const access of shown) {
    added.push(...graph.addNodes([access.principal]));
    ids.push(graph.idOf(access.principal.arn));
    for (const path of access.paths) {
      added.push(...graph.addNodes(path.steps.flatMap((s) => [s.from, s.to])));
      ids.push(...graph.addSteps(path.steps));
    }
  }
  graph.highlight(ids, shown.map((a) => a.principal.arn));
  if (graph.big) graph.placeNew(added, ids);
  else graph.layout(ids);
  updateCounts();
  panelBody.replaceChildren(
    renderAnswer(answer.title, answer.accesses, answer.total, answer.hasMore, {
      focus: (arn) => void focus(arn),
      showMore: () => void more(),
      badge: answer.admins ? adminStatus : undefined,
    }),
  );
}

function takePage(page: AccessPage): void {
  if (!answer) return;
  answer.accesses.push(...page.items);
  answer.total = page.totalCount;
  answer.hasMore = page.hasMore;
  answer.cursor = page.endCursor ?? null;
}

/** Asks a question and shows its first page of principals. */
async function ask(title: string, next: (after: string | null) => Promise<AccessPage>, admins = false): Promise<void> {
  say(null);
  const turn = ++panelTurn;
  await task(async () => {
    const [page] = await Promise.all([next(null), loadTechniques()]);
    if (turn !== panelTurn) return;
    answer = { title, admins, accesses: [], total: 0, hasMore: false, cursor: null, next };
    takePage(page);
    showAnswer();
  });
}

/** The answer's next page ("show more"). */
async function more(): Promise<void> {
  const current = answer;
  if (!current?.hasMore) return;
  if (graph.size >= MAX_NODES) return say(`The view holds ${graph.size} nodes, its cap: clear the view first.`);
  await task(async () => {
    const page = await current.next(current.cursor);
    if (answer !== current) return;
    takePage(page);
    showAnswer();
  });
}

function hops(id: string, fallback: number): number {
  const value = Number.parseInt(byId<HTMLInputElement>(id).value, 10);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

async function askAssume(): Promise<void> {
  const role = byId<HTMLInputElement>("assume-role").value.trim();
  if (!role) return;
  const escalation = byId<HTMLInputElement>("assume-escalation").checked;
  await ask(`Who can assume ${displayName({ arn: role, kind: "role" })}?${titleSuffix(escalation)}`, (after) =>
    api.whoCanAssume(role, hops("assume-hops", 1), ANSWER_PAGE, after, escalation),
  );
}

async function askWhoCan(): Promise<void> {
  const action = byId<HTMLInputElement>("whocan-action").value.trim();
  const resource = byId<HTMLInputElement>("whocan-resource").value.trim();
  if (!action || !resource) return;
  const escalation = byId<HTMLInputElement>("whocan-escalation").checked;
  await ask(`Who can ${action} on ${resource}?${titleSuffix(escalation)}`, (after) =>
    api.whoCan(action, resource, hops("whocan-hops", 0), ANSWER_PAGE, after, escalation),
  );
}

/** Every role trusting another account: drawn across the account boxes and listed with their conditions. */
async function showTrusts(): Promise<void> {
  say(null);
  const turn = ++panelTurn;
  await task(async () => {
    const trusts = await api.crossAccountTrusts();
    if (turn !== panelTurn) return;
    answer = null;
    const added: string[] = [];
    const ids: string[] = [];
    for (const trust of trusts) {
      added.push(...graph.addNodes([trust.role, trust.trusted]));
      ids.push(...graph.addSteps([{ from: trust.role, to: trust.trusted, kind: "trusts" }]));
    }
    graph.highlight(ids, []);
    if (graph.big) graph.placeNew(added, ids);
    else graph.layout(ids);
    updateCounts();
    panelBody.replaceChildren(renderTrusts(trusts, { focus: (arn) => void focus(arn) }));
  });
}

/** The Audit view (audit.ts) in the panel; a finding's entity link focuses it in the graph. */
async function showAudit(): Promise<void> {
  say(null);
  const turn = ++panelTurn;
  await task(async () => {
    const audit = await loadAudit();
    if (turn !== panelTurn) return;
    panelBody.replaceChildren(renderAudit(audit.findings, audit.total, audit.unchecked, { focus: (arn) => void focus(arn) }));
  });
}

function picked(node: NodeRef): void {
  if (node.kind === "role") byId<HTMLInputElement>("assume-role").value = node.arn;
  if (node.kind !== "user" && node.kind !== "group") byId<HTMLInputElement>("whocan-resource").value = node.arn;
  void focus(node.arn, node);
}

function legend(): void {
  const items = Object.values(KINDS).map((kind) =>
    h("li", {}, h("span", { class: `legend-shape shape-${kind.shape}`, style: `background:${kind.color}`, "aria-hidden": "true" }), kind.label),
  );
  items.unshift(h("li", {}, h("span", { class: "legend-shape shape-account", style: `border-color:${ACCOUNT_STYLE.color}`, "aria-hidden": "true" }), ACCOUNT_STYLE.label));
  items.push(
    h("li", {}, h("span", { class: "legend-line trust", "aria-hidden": "true" }), "Trust / assume edge"),
    h("li", {}, h("span", { class: "legend-line escalates", "aria-hidden": "true" }), "Privilege escalation (technique id)"),
    h("li", {}, h("span", { class: "legend-shape highlighted", "aria-hidden": "true" }), "On an answer's path"),
    h("li", {}, h("span", { class: "legend-shape answer", "aria-hidden": "true" }), "Principal in the answer"),
    h("li", {}, h("span", { class: "legend-shape more", "aria-hidden": "true" }), "Has more neighbours (show more)"),
  );
  byId("legend").replaceChildren(...items);
}

function wire(): void {
  new SearchBox(byId("search-form"), byId("search-input"), byId("search-suggestions"), picked, report);
  byId<HTMLFormElement>("assume-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void askAssume();
  });
  byId<HTMLFormElement>("whocan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void askWhoCan();
  });
  wireAdmins((title, next) => ask(title, next, true), hops);
  byId("export-png").addEventListener("click", () => download("accessgraph-view.png", graph.png()));
  byId("export-json").addEventListener("click", () => {
    const view = {
      ...graph.toJSON(),
      answer: answer ? { title: answer.title, totalCount: answer.total, accesses: answer.accesses } : null,
    };
    download("accessgraph-view.json", new Blob([JSON.stringify(view, null, 2)], { type: "application/json" }));
  });
  byId<HTMLFormElement>("auth-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>("auth-token");
    if (!input.value.trim()) return;
    token.set(input.value.trim());
    input.value = "";
    byId<HTMLFormElement>("auth-form").hidden = true;
    say("Token saved for this tab: search or ask again.");
  });
  byId("cross-account").addEventListener("click", () => void showTrusts());
  byId("external-access").addEventListener("click", () => {
    say(null);
    answer = null;
    void showExternalAccess({ graph, panel: panelBody, task, focus: (arn) => void focus(arn), turn: () => ++panelTurn,
      current: (turn) => turn === panelTurn, drawn: updateCounts });
  });
  byId("audit").addEventListener("click", () => void showAudit());
  byId("relayout").addEventListener("click", () => {
    busy.hidden = false;
    // let the indicator paint before a big layout takes the main thread
    requestAnimationFrame(() => setTimeout(() => {
      graph.layout();
      busy.hidden = pending === 0;
    }, 0));
  });
  byId("clear-highlight").addEventListener("click", () => {
    answer = null;
    graph.clearHighlight();
    updateCounts();
  });
  byId("clear-view").addEventListener("click", () => {
    answer = null;
    expansions.clear();
    graph.clear();
    updateCounts();
  });
  if (document.body.dataset.dev === "true") byId("graphiql-link").hidden = false;
  legend();
  const hash = /^#arn=(.+)$/.exec(location.hash);
  if (hash) void focus(decodeURIComponent(hash[1]));
  else void showLanding();
  byId("overview").addEventListener("click", () => void showLanding());
}

/** The landing page and the "changes since" view (landing.ts, changes.ts) fill the panel. */
async function showLanding(): Promise<void> {
  const turn = ++panelTurn;
  await task(async () => {
    const landing = await renderLanding({
      focus: (arn) => void focus(arn),
      trusts: () => void showTrusts(),
      changes: (since, accountId) => void showChanges(since, accountId),
    });
    if (turn === panelTurn) panelBody.replaceChildren(landing);
  });
}

async function showChanges(since: string, accountId: string | null, access = false): Promise<void> {
  say(null);
  const turn = ++panelTurn;
  await task(async () => {
    const changes = await fetchChanges(since, accountId, access);
    if (turn === panelTurn) {
      panelBody.replaceChildren(renderChanges(changes, (arn) => void focus(arn),
        () => void showChanges(since, accountId, true)));
    }
  });
}

wire();

declare global {
  interface Window {
    explorer: { graph: GraphView; highlighted(): string[]; idle(): boolean };
  }
}
// A read-only handle for tests and the console: the graph is a canvas, so its state is read from here.
window.explorer = { graph, highlighted: () => graph.highlighted(), idle: () => pending === 0 };
