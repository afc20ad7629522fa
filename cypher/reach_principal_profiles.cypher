// What the evaluator needs of each principal: attributes, policies (own and through groups), boundary.
// $arns: user and role ARNs.
UNWIND $arns AS wanted
MATCH (p:Principal {arn: wanted})
WHERE p:User OR p:Role
OPTIONAL MATCH (p)-[:HAS_BOUNDARY]->(boundary:Policy)
RETURN p.arn AS arn, CASE WHEN p:User THEN 'user' ELSE 'role' END AS kind, p.name AS name, p.id AS id,
       p.accountId AS accountId, p.tags AS tags, coalesce(p.isServiceLinked, false) AS isServiceLinked,
       boundary.arn AS boundary,
       [(p)-[:HAS_POLICY]->(pol:Policy) | pol.arn] AS policies,
       [(p)-[:MEMBER_OF]->(g:Group) | {arn: g.arn, name: g.name, policies: [(g)-[:HAS_POLICY]->(gp:Policy) | gp.arn]}]
         AS groups
