// Users and roles of the given accounts (all loaded accounts when $accountIds is null) holding a policy,
// directly or through a group, that may allow $action: an Allow whose action pattern matches, an Allow with
// NotAction, or a policy whose document is unknown. A superset: the evaluator decides each candidate.
// $action: the action, lower-cased.
MATCH (pol:Policy)
WHERE pol.known = false
   OR coalesce(pol.allowsNotAction, false)
   OR any(rx IN coalesce(pol.allowActionRegexes, ['.*']) WHERE $action =~ rx)
MATCH (p:Principal)-[:MEMBER_OF*0..1]->()-[:HAS_POLICY]->(pol)
WHERE (p:User OR p:Role) AND ($accountIds IS NULL OR p.accountId IN $accountIds)
RETURN DISTINCT p.arn AS arn
