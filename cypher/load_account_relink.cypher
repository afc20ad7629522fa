// Placeholders that other accounts' assumed-role principals created for this account's roles, where
// the real role has a path (so a different ARN): move their trust edges (TRUSTS) and resource-policy
// edges (NAMES) to the role.
MATCH (ph:Principal {accountId: $accountId})
WHERE ph.placeholder = true AND ph.roleName IS NOT NULL
MATCH (role:Role {accountId: $accountId, name: ph.roleName})
// Locked before its edges are read, as in load_account_demote: a concurrent load may be adding one.
SET ph.loadLock = true
REMOVE ph.loadLock
WITH ph, role
CALL (ph, role) {
  MATCH (source)-[old:TRUSTS]->(ph)
  CREATE (source)-[moved:TRUSTS]->(role)
  SET moved = properties(old)
  DELETE old
}
CALL (ph, role) {
  MATCH (statement)-[old:NAMES]->(ph)
  CREATE (statement)-[moved:NAMES]->(role)
  SET moved = properties(old)
  DELETE old
}
WITH DISTINCT ph
WHERE NOT EXISTS { (ph)--() }
DELETE ph
RETURN count(*) AS relinked
