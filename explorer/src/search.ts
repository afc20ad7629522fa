// The search box: an ARIA combobox whose suggestions come from the full-text `search` query.
import { ApiError, api } from "./api";
import type { NodeRef } from "./api";
import { h } from "./dom";
import { displayName, kindStyle } from "./kinds";

const DEBOUNCE_MS = 180;
const SUGGESTIONS = 12;

export class SearchBox {
  private results: NodeRef[] = [];
  private active = -1;
  private timer: number | undefined;
  private inFlight: AbortController | null = null;

  constructor(
    form: HTMLFormElement,
    private readonly input: HTMLInputElement,
    private readonly list: HTMLUListElement,
    private readonly onPick: (node: NodeRef) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    input.addEventListener("input", () => this.schedule());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.suggest(), DEBOUNCE_MS);
  }

  private async fetch(text: string): Promise<NodeRef[] | null> {
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    try {
      return await api.search(text, SUGGESTIONS, controller.signal);
    } catch (error) {
      if ((error as Error).name === "AbortError") return null;
      this.onError(error);
      return null;
    }
  }

  private async suggest(): Promise<void> {
    const text = this.input.value.trim();
    if (text.length < 2) return this.close();
    const results = await this.fetch(text);
    if (results === null || text !== this.input.value.trim()) return;
    this.show(results);
  }

  private async submit(): Promise<void> {
    const text = this.input.value.trim();
    if (!text) return;
    if (this.active >= 0 && this.results[this.active]) return this.pick(this.results[this.active]);
    window.clearTimeout(this.timer);
    const results = await this.fetch(text);
    if (results === null) return;
    const exact = results.find((r) => r.arn === text || r.name?.toLowerCase() === text.toLowerCase());
    if (exact ?? results.length === 1) return this.pick(exact ?? results[0]);
    if (results.length === 0) this.onError(new ApiError(`nothing matches “${text}”`));
    this.show(results);
  }

  private show(results: NodeRef[]): void {
    this.results = results;
    this.active = -1;
    this.list.replaceChildren(
      ...results.map((node, index) =>
        h(
          "li",
          {
            id: `suggestion-${index}`,
            role: "option",
            "aria-selected": "false",
            "data-arn": node.arn,
            onmousedown: (event: Event) => {
              event.preventDefault();
              this.pick(node);
            },
          },
          h("span", { class: "swatch", style: `background:${kindStyle(node.kind).color}`, "aria-hidden": "true" }),
          h("span", { class: "suggestion-name" }, displayName(node)),
          h("span", { class: "suggestion-kind" }, node.kind),
          h("span", { class: "suggestion-arn" }, node.arn),
        ),
      ),
    );
    const open = results.length > 0;
    this.list.hidden = !open;
    this.input.setAttribute("aria-expanded", String(open));
    this.input.removeAttribute("aria-activedescendant");
  }

  private key(event: KeyboardEvent): void {
    if (this.list.hidden || this.results.length === 0) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.results.length) % this.results.length;
      this.list.querySelectorAll("li").forEach((li, index) => li.setAttribute("aria-selected", String(index === this.active)));
      this.input.setAttribute("aria-activedescendant", `suggestion-${this.active}`);
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  private pick(node: NodeRef): void {
    this.input.value = node.name ?? node.arn;
    this.close();
    this.onPick(node);
  }

  close(): void {
    this.results = [];
    this.active = -1;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }
}
