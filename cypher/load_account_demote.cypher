// Entities gone from the new snapshot that another account still points at (a trust edge, a foreign
// policy reference) stay as placeholders, so that account's edges survive: a principal keeps only
// {arn, accountId, placeholder: true}, a policy becomes unknown (known: false).
MATCH (:Account {id: $accountId})<-[owned:IN_ACCOUNT]-(n)
WHERE NOT n.arn IN $keep AND NOT n:Group AND EXISTS { (n)<--() }
DELETE owned
WITH n
SET n = CASE WHEN n:Policy
  THEN {arn: n.arn, name: n.name, kind: n.kind, accountId: n.accountId, known: false}
  ELSE {arn: n.arn, accountId: n.accountId, placeholder: true}
END
REMOVE n:User:Role
RETURN count(n) AS demoted
