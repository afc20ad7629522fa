// reach_account_principals for several accounts ($accountIds) in one query, one row per account with its rows
// collected: a question about a whole organization (the audit) reads the principal index in a few queries, not
// 3 per account (each row costs the server and the driver more than its few values; a list of maps costs little).
UNWIND $accountIds AS accountId
MATCH (p:Principal {accountId: accountId})
WHERE p:User OR p:Role
RETURN accountId, collect({
  arn: p.arn, kind: CASE WHEN p:User THEN 'user' ELSE 'role' END, name: p.name, id: p.id, tags: p.tags,
  isServiceLinked: coalesce(p.isServiceLinked, false),
  boundary: head([(p)-[:HAS_BOUNDARY]->(boundary:Policy) | boundary.arn]),
  policies: [(p)-[:HAS_POLICY]->(pol:Policy) | pol.arn],
  groups: [(p)-[:MEMBER_OF]->(g:Group) | g.arn]
}) AS principals
