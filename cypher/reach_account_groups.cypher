// The groups of one account and the policies attached to each. $accountId.
MATCH (g:Group {accountId: $accountId})
RETURN g.arn AS arn, g.name AS name, [(g)-[:HAS_POLICY]->(pol:Policy) | pol.arn] AS policies
