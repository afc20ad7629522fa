// The graph view: Cytoscape with accounts as compound boxes, kinds by shape and colour, highlight of answers.
import cytoscape from "cytoscape";
import type { Core, ElementDefinition, NodeSingular, StylesheetJson } from "cytoscape";
import fcose from "cytoscape-fcose";

import type { Edge, NodeRef, PathStep } from "./api";
import { edgeLabel } from "./escalation";
import { ACCOUNT_STYLE, KINDS, accountOf, displayName } from "./kinds";

cytoscape.use(fcose);

/** Most nodes the view holds; past it, expansion asks the user to clear or narrow the view first. */
export const MAX_NODES = 3000;
const BIG = 600; // past this many nodes: new nodes are placed around their neighbours, not laid out again
const MAX_FIT_ZOOM = 1.4; // fitting a handful of nodes should not blow them up
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const SPIRAL_SPACING = 34; // px between nodes placed around an anchor
const SPIRAL = "accessgraphSpiral"; // scratch key: where an anchor's spiral of placed neighbours stands

interface Spiral {
  inner: number; // radius the spiral starts at (outside what was around the anchor before)
  count: number; // nodes placed on it so far
}

export interface NodeData {
  id: string;
  arn: string;
  kind: string;
  label: string;
  accountId?: string;
  parent?: string;
  more?: number; // neighbours not yet shown
}

function style(): StylesheetJson {
  const kinds = [...Object.entries(KINDS), ["unknown-id", KINDS.unknown] as const].map(([kind, s]) => ({
    selector: `node[kind = "${kind}"]`,
    style: { shape: s.shape, "background-color": s.color },
  }));
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 11,
        "min-zoomed-font-size": 7,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": "120px",
        width: 26,
        height: 26,
        "border-width": 1,
        "border-color": "#fff",
        color: "#1d2733",
      },
    },
    ...kinds,
    {
      selector: "node[?more]",
      style: { "border-width": 3, "border-color": "#1d2733", "border-style": "double" },
    },
    {
      selector: ":parent",
      style: {
        shape: "round-rectangle",
        "background-color": "#eef2f6",
        "background-opacity": 0.6,
        "border-width": 2,
        "border-style": "dashed",
        "border-color": ACCOUNT_STYLE.color,
        label: "data(label)",
        "text-valign": "top",
        "text-halign": "center",
        "font-weight": "bold",
        "font-size": 13,
        "text-wrap": "none",
        padding: "18px",
      },
    },
    { selector: 'node[kind = "account"]:childless', style: { shape: "round-rectangle", "background-color": ACCOUNT_STYLE.color, width: 40, height: 26, "text-wrap": "none" } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "curve-style": "bezier",
        "line-color": "#a6b1bd",
        "target-arrow-color": "#a6b1bd",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        label: "data(label)",
        "font-size": 8,
        "min-zoomed-font-size": 9,
        color: "#5c6976",
        "text-rotation": "autorotate",
        "text-background-color": "#fff",
        "text-background-opacity": 0.8,
      },
    },
    { selector: 'edge[kind = "trusts"], edge[kind = "assumes"]', style: { "line-style": "dashed", "line-color": "#e07b00", "target-arrow-color": "#e07b00" } },
    // #14: a grant through a resource policy (a path step), and an external-access finding (resource → grantee).
    { selector: 'edge[kind = "resource_policy"], edge[kind = "grants"]', style: { "line-style": "dotted", "line-color": "#3f8624", "target-arrow-color": "#3f8624" } },
    // escalation steps: dashed red, labelled with the technique id (edgeLabel)
    {
      selector: 'edge[kind = "escalates"]',
      style: { "line-style": "dashed", "line-dash-pattern": [8, 4], width: 2.5, "line-color": "#c62828", "target-arrow-color": "#c62828", color: "#c62828", "font-size": 9, "font-weight": "bold" },
    },
    { selector: ".faded", style: { opacity: 0.25 } },
    { selector: ":parent.faded", style: { opacity: 0.5 } },
    {
      selector: "node.highlighted",
      style: { "border-width": 4, "border-color": "#f5b700", opacity: 1, "z-index": 10 },
    },
    {
      selector: "edge.highlighted",
      style: { width: 4, "line-color": "#f5b700", "target-arrow-color": "#f5b700", opacity: 1, "z-index": 10 },
    },
    { selector: 'edge.highlighted[kind = "escalates"]', style: { "line-color": "#c62828", "target-arrow-color": "#c62828" } },
    { selector: "node.answer", style: { "border-width": 6, "border-color": "#d11a2a", width: 34, height: 34 } },
    { selector: "node:selected", style: { "overlay-color": "#2f6fde", "overlay-opacity": 0.25, "overlay-padding": 6 } },
  ] as StylesheetJson;
}

export interface GraphEvents {
  onSelect(arn: string | null): void;
  onExpand(arn: string): void;
}

export class GraphView {
  readonly cy: Core;
  private accountAlias = new Map<string, string>(); // account-kind ARN -> its compound box id

  constructor(container: HTMLElement, events: GraphEvents) {
    this.cy = cytoscape({
      container,
      style: style(),
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      textureOnViewport: true,
    });
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) return events.onSelect(null);
      const element = event.target as NodeSingular;
      if (!element.isNode()) return;
      events.onSelect(element.data("arn"));
      events.onExpand(element.data("arn"));
    });
  }

  get size(): number {
    return this.cy.nodes().length;
  }

  /** The Cytoscape id that stands for `arn` (an account ARN maps to its box). */
  idOf(arn: string): string {
    return this.accountAlias.get(arn) ?? arn;
  }

  private accountBox(accountId: string, arn?: string, name?: string | null): string {
    const id = `account:${accountId}`;
    this.accountAlias.set(accountId, id); // the API takes an account id as its key
    if (arn) this.accountAlias.set(arn, id);
    const label = name && name !== accountId ? `${name} (${accountId})` : `Account ${accountId}`;
    const box = this.cy.getElementById(id);
    if (box.empty()) {
      this.cy.add({ group: "nodes", data: { id, arn: arn ?? accountId, kind: "account", label, accountId } });
    } else {
      if (arn && box.data("arn") === accountId) box.data("arn", arn);
      if (name) box.data("label", label);
    }
    return id;
  }

  /** Adds nodes (accounts become boxes around their entities); returns the ids that were new. */
  addNodes(nodes: NodeRef[]): string[] {
    const added: string[] = [];
    const defs: ElementDefinition[] = [];
    const pending = new Set<string>();
    for (const node of nodes) {
      const account = accountOf(node);
      if (node.kind === "account" && account) {
        const existed = !this.cy.getElementById(`account:${account}`).empty();
        const id = this.accountBox(account, node.arn, node.name);
        if (!existed) added.push(id);
        continue;
      }
      if (!this.cy.getElementById(node.arn).empty() || pending.has(node.arn)) continue;
      pending.add(node.arn);
      const data: NodeData = { id: node.arn, arn: node.arn, kind: node.kind, label: displayName(node) };
      if (account) {
        data.accountId = account;
        data.parent = this.accountBox(account);
      }
      defs.push({ group: "nodes", data });
      added.push(node.arn);
    }
    this.cy.add(defs);
    return added;
  }

  addEdges(edges: (Edge & { technique?: string | null })[]): void {
    const defs: ElementDefinition[] = [];
    const pending = new Set<string>();
    for (const edge of edges) {
      const source = this.idOf(edge.from);
      const target = this.idOf(edge.to);
      const kind = edge.kind.toLowerCase(); // relationship types (MEMBER_OF) and path steps (member_of) alike
      const id = `${source}|${kind}|${target}`;
      if (source === target || !this.cy.getElementById(id).empty() || pending.has(id)) continue;
      const from = this.cy.getElementById(source);
      const to = this.cy.getElementById(target);
      if (from.empty() || to.empty()) continue;
      if (from.data("parent") === target || to.data("parent") === source) continue; // the box already says it
      pending.add(id);
      defs.push({ group: "edges", data: { id, source, target, kind, label: edgeLabel({ kind, technique: edge.technique }), technique: edge.technique ?? undefined } });
    }
    this.cy.add(defs);
  }

  /** Adds the nodes and edges of answer paths; returns the ids of every element on them. */
  addSteps(steps: PathStep[]): string[] {
    this.addNodes(steps.flatMap((s) => [s.from, s.to]));
    this.addEdges(steps.map((s) => ({ from: s.from.arn, to: s.to.arn, kind: s.kind, technique: s.technique })));
    return steps.flatMap((s) => {
      const source = this.idOf(s.from.arn);
      const target = this.idOf(s.to.arn);
      return [source, target, `${source}|${s.kind.toLowerCase()}|${target}`];
    });
  }

  setMore(arn: string, more: number): void {
    const node = this.cy.getElementById(this.idOf(arn));
    if (node.nonempty()) node.data("more", more > 0 ? more : undefined);
  }

  /** Highlights the given elements (and marks the answer principals), fading the rest. */
  highlight(ids: string[], principals: string[]): void {
    this.cy.batch(() => {
      this.clearHighlight();
      const lit = this.cy.collection();
      for (const id of ids) lit.merge(this.cy.getElementById(id));
      lit.addClass("highlighted");
      for (const arn of principals) this.cy.getElementById(this.idOf(arn)).addClass("highlighted answer");
      this.cy.elements().not(lit).not(".answer").not(lit.ancestors()).addClass("faded");
    });
  }

  clearHighlight(): void {
    this.cy.elements().removeClass("highlighted answer faded");
  }

  highlighted(): string[] {
    return this.cy.nodes(".highlighted").map((n) => n.data("arn") as string);
  }

  select(arn: string): void {
    this.cy.$(":selected").unselect();
    this.cy.getElementById(this.idOf(arn)).select();
  }

  clear(): void {
    this.cy.elements().remove();
    this.accountAlias.clear();
  }

  /** Whether the view is past the size where a full layout would stall the page on every change. */
  get big(): boolean {
    return this.size > BIG;
  }

  /**
   * Places only the new nodes, in rings around a neighbour already placed (or the view's centre), leaving the
   * rest where it is: the progressive expansion that keeps big views responsive.
   */
  placeNew(added: string[], focus: string[]): void {
    const fresh = new Set(added);
    const spirals = new Map<string, Spiral>();
    const centre = { x: (this.cy.extent().x1 + this.cy.extent().x2) / 2, y: (this.cy.extent().y1 + this.cy.extent().y2) / 2 };
    this.cy.batch(() => {
      for (const id of added) {
        const node = this.cy.getElementById(id);
        if (node.empty() || node.isParent()) continue;
        const anchor = node.neighborhood().nodes().filter((n) => !fresh.has(n.id()) && !n.isParent()).first() as NodeSingular;
        const key = anchor.nonempty() ? anchor.id() : "";
        const origin = anchor.nonempty() ? anchor.position() : centre;
        let spiral: Spiral | undefined = spirals.get(key);
        if (!spiral) {
          // kept on the anchor, so the next page continues the spiral where this one ends
          const kept = anchor.nonempty() ? (anchor.scratch(SPIRAL) as Spiral | undefined) : undefined;
          spiral = kept ?? { inner: anchor.nonempty() ? this.reach(anchor, fresh) + 40 : 60, count: 0 };
          spirals.set(key, spiral);
          if (anchor.nonempty()) anchor.scratch(SPIRAL, spiral);
        }
        // a sunflower spiral continued outside what is already around the anchor: evenly spread, compact
        const angle = spiral.count * GOLDEN_ANGLE;
        const radius = Math.sqrt(spiral.inner ** 2 + SPIRAL_SPACING ** 2 * spiral.count);
        spiral.count += 1;
        node.position({ x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) });
      }
    });
    this.fitTo(focus);
  }

  /** How far from `anchor` its neighbours already in view reach. */
  private reach(anchor: NodeSingular, fresh: Set<string>): number {
    const { x, y } = anchor.position();
    let far = 0;
    anchor.neighborhood().nodes().forEach((n) => {
      if (fresh.has(n.id()) || n.isParent()) return;
      const p = n.position();
      far = Math.max(far, Math.hypot(p.x - x, p.y - y));
    });
    return far;
  }

  private fitTo(focus?: string[]): void {
    const targets = this.cy.collection();
    for (const id of focus ?? []) targets.merge(this.cy.getElementById(id));
    const shown = targets.nonempty() ? targets.union(targets.ancestors()) : this.cy.elements();
    this.cy.fit(shown, 70);
    if (this.cy.zoom() > MAX_FIT_ZOOM) {
      this.cy.zoom(MAX_FIT_ZOOM);
      this.cy.center(shown);
    }
  }

  /** Lays the graph out again; with `focus`, fits the view to those elements afterwards. */
  layout(focus?: string[]): void {
    const big = this.big;
    this.cy.nodes().forEach((n) => {
      n.removeScratch(SPIRAL);
    });
    const fit = () => this.fitTo(focus);
    if (this.size === 0) return;
    const layout = this.cy.layout({
      name: "fcose",
      quality: "default",
      randomize: true,
      animate: false,
      nodeDimensionsIncludeLabels: !big,
      packComponents: true,
      nodeSeparation: 60,
      idealEdgeLength: 80,
      nestingFactor: 0.6,
      numIter: big ? 1000 : 2500,
      fit: false,
    } as cytoscape.LayoutOptions);
    layout.one("layoutstop", fit);
    layout.run();
  }

  /** The current view as plain JSON (nodes, edges, highlighted ids). */
  toJSON(): object {
    return {
      nodes: this.cy.nodes().map((n) => ({ ...n.data(), highlighted: n.hasClass("highlighted") })),
      edges: this.cy.edges().map((e) => ({
        from: e.source().data("arn"),
        to: e.target().data("arn"),
        kind: e.data("kind"),
        highlighted: e.hasClass("highlighted"),
      })),
    };
  }

  png(): Blob {
    return this.cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff", maxWidth: 8000, maxHeight: 8000 });
  }
}
