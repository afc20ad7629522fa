// What the account's previous resources point at that may be orphaned once they are deleted: placeholders,
// external principals and never-loaded accounts (load_account_orphans deletes those nothing points at).
MATCH (:Account {id: $accountId})<-[:RESOURCE_IN]-(r:Resource)
CALL (r) {
  MATCH (r)-[:HAS_RESOURCE_POLICY]->(:ResourcePolicy)-[:HAS_STATEMENT]->(:ResourceStatement)-[:NAMES]->(t)
  RETURN t
  UNION
  MATCH (r)-[:EXECUTES_AS]->(t)
  RETURN t
}
WITH DISTINCT t
WHERE t.placeholder = true OR t:ExternalPrincipal OR t.loaded = false
RETURN collect(elementId(t)) AS candidates
