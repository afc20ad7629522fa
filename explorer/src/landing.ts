// The landing page: loaded accounts with their counts, the trust findings that need attention, and the latest
// loads with their changes; every account, finding and change a click away from the graph.
import { post } from "./api";
import { h } from "./dom";

interface StatsRow {
  accountId: string;
  time: string;
  principals: number;
  roles: number;
  policies: number;
  crossAccountTrusts: number;
  anyPrincipal: number;
  externalWithoutExternalId: number;
  outsideOrganization: number;
  unloadedAccount: number;
  admins?: number | null;
  findings?: number | null;
}
interface HistoryRow {
  time: string;
  loadId: string;
  unit: string;
  unitId: string;
  principals: number;
}

export const LANDING_QUERY = `query Landing { stats { accountId time principals roles policies crossAccountTrusts
  anyPrincipal externalWithoutExternalId outsideOrganization unloadedAccount admins findings }
  history(first: 10) { time loadId unit unitId principals } }`;

export interface LandingActions {
  focus(arn: string): void;
  trusts(): void;
  changes(since: string, accountId: string | null): void;
}

/** Categories a reviewer looks at first, as the stats row names them. */
const ATTENTION: [keyof StatsRow, string][] = [
  ["anyPrincipal", "trust anyone"],
  ["externalWithoutExternalId", "external without an ExternalId"],
  ["outsideOrganization", "outside the organization"],
  ["unloadedAccount", "trust an account not loaded"],
];

export async function renderLanding(actions: LandingActions): Promise<HTMLElement> {
  const data = await post<{ stats: StatsRow[]; history: HistoryRow[] }>(LANDING_QUERY, {});
  const accounts = h("table", { class: "landing-accounts", "data-testid": "landing-accounts" },
    h("thead", {}, h("tr", {}, ...["Account", "Principals", "Roles", "Policies", "Cross-account trusts"].map((t) => h("th", {}, t)))),
    h("tbody", {}, data.stats.map((s) => h("tr", { "data-account": s.accountId },
      h("td", {}, h("button", { type: "button", class: "node-link", onclick: () => actions.focus(s.accountId) }, s.accountId)),
      h("td", {}, String(s.principals)), h("td", {}, String(s.roles)), h("td", {}, String(s.policies)),
      h("td", {}, String(s.crossAccountTrusts))))));
  const attention = data.stats.flatMap((s) => ATTENTION.filter(([key]) => Number(s[key]) > 0).map(([key, label]) =>
    h("li", { "data-testid": "attention", "data-account": s.accountId },
      h("button", { type: "button", class: "node-link", onclick: () => actions.trusts() },
        `${s.accountId}: ${s[key]} role trust${Number(s[key]) > 1 ? "s" : ""} ${label}`))));
  const seen = new Set<string>();
  const latest = data.history.map((row) => {
    const previous = data.history.find((other) => other.unitId === row.unitId && other.time < row.time);
    const first = !seen.has(row.unitId);
    seen.add(row.unitId);
    return h("li", { "data-testid": "latest-load", "data-load": row.loadId },
      `${row.time.slice(0, 19).replace("T", " ")} ${row.unit} ${row.unitId} (${row.principals} principals) `,
      first && previous && row.unit === "account"
        ? h("button", { type: "button", onclick: () => actions.changes(previous.loadId, row.unitId) }, "changes since the load before")
        : null);
  });
  const form = h("form", { class: "changes-form", "data-testid": "changes-form", "aria-label": "Changes since" },
    h("label", { for: "changes-since" }, "Changes since (a load id or a time)"),
    h("input", { id: "changes-since", name: "since", required: true, placeholder: "2026-01-31 or a load id" }),
    h("label", { for: "changes-account" }, "Account (optional)"),
    h("input", { id: "changes-account", name: "account" }),
    h("button", { type: "submit" }, "Show changes"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const since = (form.querySelector("#changes-since") as HTMLInputElement).value.trim();
    const account = (form.querySelector("#changes-account") as HTMLInputElement).value.trim();
    actions.changes(since, account || null);
  });
  return h("section", { class: "landing", "data-testid": "landing" },
    h("h2", {}, "Accounts"),
    data.stats.length ? accounts : h("p", {}, "Nothing loaded yet: run `accessgraph load` on GAAD files."),
    h("h2", {}, "Needs attention"),
    attention.length ? h("ul", {}, attention) : h("p", {}, "No trust finding needs attention."),
    h("h2", {}, "Latest loads"),
    h("ul", { class: "latest-loads" }, latest),
    form);
}
