// Delete the account's previous resources with their policies, statements and aliases (the new snapshot
// recreates them). Returns how many of them the new snapshot ($keep: its ARNs) no longer has.
MATCH (:Account {id: $accountId})<-[:RESOURCE_IN]-(r:Resource)
CALL (r) {
  MATCH (r)-[:HAS_RESOURCE_POLICY]->(p:ResourcePolicy)
  OPTIONAL MATCH (p)-[:HAS_STATEMENT]->(s:ResourceStatement)
  DETACH DELETE s, p
}
CALL (r) {
  MATCH (alias:ResourceAlias)-[:ALIAS_OF]->(r)
  DETACH DELETE alias
}
WITH r, NOT r.arn IN $keep AS gone
DETACH DELETE r
RETURN count(CASE WHEN gone THEN 1 END) AS removed
