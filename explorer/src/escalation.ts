// Privilege escalation in the explorer: the toggle on the question forms, and the technique catalogue that
// names what an "escalates" step does (ids on edges, titles in the panel).
import { api } from "./api";
import type { EscalationTechnique, PathStep } from "./api";

/** The path step kind the API gives an escalation step. */
export const ESCALATES = "escalates";

const techniques = new Map<string, EscalationTechnique>();
let loading: Promise<void> | null = null;

/** Fetches the catalogue once; the panel shows bare ids until it arrives (or if the server has none). */
export function loadTechniques(): Promise<void> {
  loading ??= api
    .escalationTechniques()
    .then((list) => {
      for (const technique of list) techniques.set(technique.id, technique);
    })
    .catch(() => {
      loading = null; // an older server: try again with the next answer
    });
  return loading;
}

export function technique(id: string): EscalationTechnique | undefined {
  return techniques.get(id);
}

export function isEscalation(step: PathStep): boolean {
  return step.kind === ESCALATES;
}

/** What a step's edge is labelled with: the technique id for an escalation, else the step kind. */
export function edgeLabel(step: { kind: string; technique?: string | null }): string {
  return step.technique ?? step.kind;
}

/** "iam-012: Rewrite a role's trust policy to trust oneself" (the id alone until the catalogue is here). */
export function describe(id: string): string {
  const known = techniques.get(id);
  return known ? `${id}: ${known.title}` : id;
}

/** Whether a form's escalation checkbox is ticked. */
export function escalationOn(checkbox: HTMLInputElement): boolean {
  return checkbox.checked;
}

/** " (with privilege escalation)" for an answer's title when the toggle was on. */
export function titleSuffix(on: boolean): string {
  return on ? " (with privilege escalation)" : "";
}
