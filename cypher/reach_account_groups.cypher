// The groups of one account and the policies attached to each. $accountId. (Through IN_ACCOUNT: the
// Group(accountId, name) index needs both properties.)
MATCH (:Account {id: $accountId})<-[:IN_ACCOUNT]-(g:Group)
RETURN g.arn AS arn, g.name AS name, [(g)-[:HAS_POLICY]->(pol:Policy) | pol.arn] AS policies
