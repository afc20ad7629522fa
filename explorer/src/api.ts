// The GraphQL client: one `post` and the typed queries the explorer asks (schema.graphql at the repo root).

export interface NodeRef {
  arn: string;
  kind: string;
  name?: string | null;
  accountId?: string | null;
}
export interface ConditionTest {
  key: string;
  operator: string;
  values: string[];
  negated: boolean;
  policy?: string | null;
  statement?: string | null;
}
export interface PathStep {
  from: NodeRef;
  to: NodeRef;
  kind: string;
  via?: string | null;
  statement?: string | null;
  /** For an escalates step: the technique's catalogue id (its title comes from escalationTechniques). */
  technique?: string | null;
}
export interface Path {
  steps: PathStep[];
}
export interface Access {
  principal: NodeRef;
  hops?: number;
  conditions: ConditionTest[];
  conditionText?: string | null;
  paths: Path[];
  notes: string[];
}
export interface PolicyDocument {
  arn: string;
  name: string;
  kind: string;
  known: boolean;
  document?: string | null;
  via?: string | null;
}
export interface Entity {
  node: NodeRef;
  properties?: string | null;
  policies: PolicyDocument[];
  boundary?: PolicyDocument | null;
  trustPolicy?: string | null;
  lastUsed?: string | null;
  groups: NodeRef[];
}
export interface Edge {
  from: string;
  to: string;
  kind: string;
  properties?: string | null;
}
export interface Neighbourhood {
  center: NodeRef;
  nodes: NodeRef[];
  edges: Edge[];
  totalCount: number;
  hasMore: boolean;
  endCursor?: string | null;
}

export interface AccessPage {
  totalCount: number;
  items: Access[];
  hasMore: boolean;
  endCursor?: string | null;
}

export interface CrossAccountTrust {
  role: NodeRef;
  trusted: NodeRef;
  trustedAccountId?: string | null;
  trustedAccountLoaded: boolean;
  sameOrganization?: boolean | null;
  outsideOrganization: boolean;
  hasExternalId: boolean;
  requiresMfa: boolean;
  conditions: ConditionTest[];
  conditionText?: string | null;
  statement?: string | null;
  categories: string[];
}

/** One grant of a loaded resource (or a role) to principals outside its account (the externalAccess question). */
export interface ExternalAccessFinding {
  resource: NodeRef;
  principal: NodeRef;
  who: string;
  actions: string[];
  conditions: ConditionTest[];
  conditionText?: string | null;
  categories: string[];
  statementIndex?: number | null;
  sid?: string | null;
  statement?: string | null;
}

export interface ExternalAccessPage {
  totalCount: number;
  items: ExternalAccessFinding[];
  hasMore: boolean;
  endCursor?: string | null;
}

export interface EscalationTechnique {
  id: string;
  title: string;
  notes: string;
  decidedBy: string;
}

export class ApiError extends Error {}

/** The server wants a bearer token (it has ACCESSGRAPH tokens configured) and has none or another. */
export class AuthRequired extends ApiError {}

const TOKEN_KEY = "accessgraph.token";

/** The bearer token for this tab (sessionStorage: gone when the tab closes). */
export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

const NODE = "arn kind name accountId";
const CONDITION = "key operator values negated policy statement";
const ACCESS = `principal { ${NODE} } conditions { ${CONDITION} } conditionText notes hops
  paths { steps { from { ${NODE} } to { ${NODE} } kind via statement technique } }`;
const POLICY = "arn name kind known document via";

export const QUERIES = {
  search: `query Search($text: String!, $first: Int!) { search(text: $text, first: $first) { ${NODE} } }`,
  neighbours: `query Neighbours($arn: String!, $first: Int!, $after: String) {
    neighbours(arn: $arn, first: $first, after: $after) {
      center { ${NODE} } nodes { ${NODE} } edges { from to kind properties } totalCount hasMore endCursor } }`,
  entity: `query Entity($arn: String!) { entity(arn: $arn) {
    node { ${NODE} } properties policies { ${POLICY} } boundary { ${POLICY} } trustPolicy lastUsed groups { ${NODE} } } }`,
  whoCanAssume: `query WhoCanAssume($roleArn: String!, $maxHops: Int, $first: Int!, $after: String, $escalation: Boolean!) {
    whoCanAssumePage(roleArn: $roleArn, maxHops: $maxHops, first: $first, after: $after, escalation: $escalation) {
      totalCount hasMore endCursor items { ${ACCESS} } } }`,
  whoCan: `query WhoCan($action: String!, $resource: String!, $maxHops: Int, $first: Int!, $after: String, $escalation: Boolean!) {
    whoCanPage(action: $action, resource: $resource, maxHops: $maxHops, first: $first, after: $after, escalation: $escalation) {
      totalCount hasMore endCursor items { ${ACCESS} } } }`,
  crossAccountTrusts: `query CrossAccountTrusts { crossAccountTrusts {
    role { ${NODE} } trusted { ${NODE} } trustedAccountId trustedAccountLoaded sameOrganization outsideOrganization
    hasExternalId requiresMfa conditions { ${CONDITION} } conditionText statement categories } }`,
  externalAccess: `query ExternalAccess($accountId: String, $category: String, $first: Int!, $after: String) {
    externalAccess(accountId: $accountId, category: $category, first: $first, after: $after) {
      totalCount hasMore endCursor items { resource { ${NODE} } principal { ${NODE} } who actions
        conditions { ${CONDITION} } conditionText categories statementIndex sid statement } } }`,
  admins: `query Admins($accountId: String, $escalation: Boolean!, $maxHops: Int, $first: Int!, $after: String) {
    adminsPage(accountId: $accountId, escalation: $escalation, maxHops: $maxHops, first: $first, after: $after) {
      totalCount hasMore endCursor items { ${ACCESS} } } }`,
  escalationTechniques: `query EscalationTechniques { escalationTechniques { id title notes decidedBy } }`,
} as const;

export const ENDPOINT = "/graphql";

/** POSTs one operation; throws ApiError with the server's messages when it answers with errors. */
export async function post<T>(query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
    const bearer = token.get();
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(`cannot reach the API: ${(error as Error).message}`);
  }
  if (response.status === 401) throw new AuthRequired("this server needs an API token: enter it above");
  let body: { data?: T; errors?: { message: string }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the API answered ${response.status} ${response.statusText} without JSON`);
  }
  if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join("; "));
  if (!response.ok || !body.data) throw new ApiError(`the API answered ${response.status} ${response.statusText}`);
  return body.data;
}

export const api = {
  search: (text: string, first = 10, signal?: AbortSignal) =>
    post<{ search: NodeRef[] }>(QUERIES.search, { text, first }, signal).then((d) => d.search),
  neighbours: (arn: string, first: number, after?: string | null) =>
    post<{ neighbours: Neighbourhood }>(QUERIES.neighbours, { arn, first, after: after ?? null }).then(
      (d) => d.neighbours,
    ),
  entity: (arn: string) => post<{ entity: Entity | null }>(QUERIES.entity, { arn }).then((d) => d.entity),
  whoCanAssume: (roleArn: string, maxHops: number, first: number, after?: string | null, escalation = false) =>
    post<{ whoCanAssumePage: AccessPage }>(QUERIES.whoCanAssume, { roleArn, maxHops, first, after: after ?? null, escalation }).then(
      (d) => d.whoCanAssumePage,
    ),
  whoCan: (action: string, resource: string, maxHops: number, first: number, after?: string | null, escalation = false) =>
    post<{ whoCanPage: AccessPage }>(QUERIES.whoCan, { action, resource, maxHops, first, after: after ?? null, escalation }).then(
      (d) => d.whoCanPage,
    ),
  admins: (accountId: string | null, escalation: boolean, maxHops: number, first: number, after?: string | null) =>
    post<{ adminsPage: AccessPage }>(QUERIES.admins, { accountId, escalation, maxHops, first, after: after ?? null }).then(
      (d) => d.adminsPage,
    ),
  escalationTechniques: () =>
    post<{ escalationTechniques: EscalationTechnique[] }>(QUERIES.escalationTechniques, {}).then((d) => d.escalationTechniques),
  crossAccountTrusts: () =>
    post<{ crossAccountTrusts: CrossAccountTrust[] }>(QUERIES.crossAccountTrusts, {}).then((d) => d.crossAccountTrusts),
  externalAccess: (first: number, after?: string | null, category?: string | null, accountId?: string | null) =>
    post<{ externalAccess: ExternalAccessPage }>(QUERIES.externalAccess, {
      first,
      after: after ?? null,
      category: category ?? null,
      accountId: accountId ?? null,
    }).then((d) => d.externalAccess),
};

// The audit (#16): findings by category and severity, each about one entity, and the checks that could not run.
export interface Finding {
  category: string;
  severity: string;
  accountId: string;
  entity: NodeRef;
  evidence: string;
  recommendation: string;
  cis: string;
}
export interface UncheckedCheck {
  category: string;
  accountId: string;
  reason: string;
}
export interface FindingPage {
  totalCount: number;
  items: Finding[];
  hasMore: boolean;
  endCursor?: string | null;
  unchecked: UncheckedCheck[];
}

const FINDINGS = `query Findings($first: Int!, $after: String) { findings(first: $first, after: $after) {
  totalCount hasMore endCursor items { category severity accountId entity { ${NODE} } evidence recommendation cis }
  unchecked { category accountId reason } } }`;

export const auditApi = {
  findings: (first: number, after?: string | null) =>
    post<{ findings: FindingPage }>(FINDINGS, { first, after: after ?? null }).then((d) => d.findings),
};
