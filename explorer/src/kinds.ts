// How each node kind looks (shape + colour), shared by the graph style and the legend; and short labels.
import type { NodeRef } from "./api";

export interface KindStyle {
  label: string;
  shape: string; // a Cytoscape node shape
  color: string;
}

export const KINDS: Record<string, KindStyle> = {
  user: { label: "User", shape: "ellipse", color: "#2f6fde" },
  role: { label: "Role", shape: "hexagon", color: "#e07b00" },
  group: { label: "Group", shape: "round-rectangle", color: "#2e9e5b" },
  policy: { label: "Policy", shape: "rectangle", color: "#8a56c2" },
  service: { label: "Service principal", shape: "diamond", color: "#128a8a" },
  federated: { label: "Federated principal", shape: "vee", color: "#b04a8f" },
  any: { label: "Anyone (*)", shape: "star", color: "#d11a2a" },
  canonical: { label: "Canonical user", shape: "pentagon", color: "#6d7a1f" },
  organization: { label: "Organization", shape: "barrel", color: "#455a64" },
  ou: { label: "Organizational unit", shape: "round-triangle", color: "#607d8b" },
  root: { label: "Organization root", shape: "triangle", color: "#37474f" },
  scp: { label: "Service control policy", shape: "cut-rectangle", color: "#9c27b0" },
  rcp: { label: "Resource control policy", shape: "cut-rectangle", color: "#c2185b" },
  principal: { label: "Principal of an unloaded account", shape: "ellipse", color: "#9aa5b1" },
  unknown: { label: "Unknown", shape: "octagon", color: "#8d8d8d" },
  // Loaded resources (#14): one shape per type (resources.css draws the legend's).
  "s3-bucket": { label: "S3 bucket", shape: "barrel", color: "#3f8624" },
  "kms-key": { label: "KMS key", shape: "tag", color: "#c7511f" },
  "sqs-queue": { label: "SQS queue", shape: "rhomboid", color: "#b0084d" },
  "sns-topic": { label: "SNS topic", shape: "concave-hexagon", color: "#e7157b" },
  "lambda-function": { label: "Lambda function", shape: "round-diamond", color: "#ed7100" },
  secret: { label: "Secrets Manager secret", shape: "round-octagon", color: "#dd344c" },
  "ecr-repository": { label: "ECR repository", shape: "bottom-round-rectangle", color: "#1f6fb2" },
};

export const ACCOUNT_STYLE = { label: "Account (box around its entities)", color: "#5b6b7a" };

const ALIASES: Record<string, string> = { "unknown-id": "unknown" };

export function kindStyle(kind: string): KindStyle {
  return KINDS[ALIASES[kind] ?? kind] ?? KINDS.unknown;
}

/** The 12-digit account of a node: its accountId, else read from its ARN. */
export function accountOf(node: NodeRef): string | null {
  if (node.accountId) return node.accountId;
  if (/^\d{12}$/.test(node.arn)) return node.arn;
  const match = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(node.arn);
  return match ? match[1] : null;
}

/** What to call a node on screen: its name, else the last part of its ARN. */
export function displayName(node: NodeRef): string {
  if (node.name) return node.name;
  if (node.kind === "account") return accountOf(node) ?? node.arn;
  const tail = node.arn.split(/[:/]/).filter(Boolean).pop();
  return tail ?? node.arn;
}

const CONDITION_BADGES: [RegExp, string][] = [
  [/^sts:externalid$/i, "ExternalId"],
  [/^aws:multifactorauth(present|age)$/i, "MFA"],
  [/^aws:sourceip$/i, "Source IP"],
  [/^aws:sourcevpce?$/i, "VPC"],
  [/^aws:principalorgid$/i, "Org"],
  [/^aws:principalorgpaths$/i, "Org path"],
  [/^aws:sourcearn$/i, "Source ARN"],
  [/^aws:sourceaccount$/i, "Source account"],
  [/^aws:securetransport$/i, "TLS"],
  [/^aws:(currenttime|epochtime)$/i, "Time"],
  [/^aws:principaltag\//i, "Principal tag"],
  [/^aws:resourcetag\//i, "Resource tag"],
  [/^aws:requesttag\//i, "Request tag"],
];

/** A short badge name for a condition key (ExternalId, MFA, ...), else the key itself. */
export function conditionBadge(key: string): string {
  for (const [pattern, label] of CONDITION_BADGES) if (pattern.test(key)) return label;
  return key;
}
