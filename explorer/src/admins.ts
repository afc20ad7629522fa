// The Admins view: who is an administrator of an account, and (with escalation) who can become one.
import { api } from "./api";
import type { Access, AccessPage } from "./api";
import { byId, h } from "./dom";
import { isEscalation, titleSuffix } from "./escalation";

export type Ask = (title: string, next: (after: string | null) => Promise<AccessPage>) => Promise<void>;

/** An administrator already, or one only through an escalation step on its way. */
export function adminStatus(access: Access): string {
  const escalates = access.paths.some((path) => path.steps.some(isEscalation));
  return escalates ? "can become administrator" : "administrator";
}

const accounts = new Set<string>();

/** Every account seen in an answer joins the selector, so the view narrows without a separate listing. */
export function noteAccounts(accesses: Access[]): void {
  const select = byId<HTMLSelectElement>("admins-account");
  let added = false;
  for (const access of accesses) {
    const id = access.principal.accountId;
    if (id && !accounts.has(id)) {
      accounts.add(id);
      added = true;
    }
  }
  if (!added) return;
  const chosen = select.value;
  select.replaceChildren(
    h("option", { value: "" }, "All accounts"),
    ...[...accounts].sort().map((id) => h("option", { value: id }, id)),
  );
  select.value = chosen;
}

/** Hooks the Admins form to `ask` (main.ts draws and lists the answer like any other). */
export function wireAdmins(ask: Ask, hops: (id: string, fallback: number) => number): void {
  byId<HTMLFormElement>("admins-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const account = byId<HTMLSelectElement>("admins-account").value || null;
    const escalation = byId<HTMLInputElement>("admins-escalation").checked;
    const maxHops = hops("admins-hops", 3);
    void ask(`Administrators of ${account ?? "every account"}${titleSuffix(escalation)}`, (after) =>
      api.admins(account, escalation, maxHops, 50, after).then((page) => {
        noteAccounts(page.items);
        return page;
      }),
    );
  });
}
