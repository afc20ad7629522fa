// Every user and role of one account, with what the evaluator needs: attributes, the policies attached
// directly, its groups, its boundary (group policies come from reach_account_groups). $accountId.
MATCH (p:Principal {accountId: $accountId})
WHERE p:User OR p:Role
RETURN p.arn AS arn, CASE WHEN p:User THEN 'user' ELSE 'role' END AS kind, p.name AS name, p.id AS id,
       p.tags AS tags, coalesce(p.isServiceLinked, false) AS isServiceLinked,
       head([(p)-[:HAS_BOUNDARY]->(boundary:Policy) | boundary.arn]) AS boundary,
       [(p)-[:HAS_POLICY]->(pol:Policy) | pol.arn] AS policies,
       [(p)-[:MEMBER_OF]->(g:Group) | g.arn] AS groups
