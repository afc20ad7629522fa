// Entities gone from the new snapshot that another account still points at (a trust edge, a foreign
// policy reference) stay as placeholders, so that account's edges survive: a principal keeps only
// {arn, accountId, placeholder: true}, a policy becomes unknown (known: false).
// Lock each one (a write) before looking for edges: a concurrent load adding an edge into it has then
// committed, and none can add one until this transaction ends. Looking first would miss such an edge,
// and load_account_delete_stale would delete it with the node.
MATCH (:Account {id: $accountId})<-[owned:IN_ACCOUNT]-(n)
WHERE NOT n.arn IN $keep AND NOT n:Group
SET n.loadLock = true
REMOVE n.loadLock
WITH owned, n
WHERE EXISTS { (n)<--() }
DELETE owned
WITH n
SET n = CASE WHEN n:Policy
  THEN {arn: n.arn, name: n.name, kind: n.kind, accountId: n.accountId, known: false}
  ELSE {arn: n.arn, accountId: n.accountId, placeholder: true}
END
REMOVE n:User:Role
RETURN count(n) AS demoted
