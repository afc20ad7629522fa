// An assumed-role session ARN names its role without the path: the role found by name in its account,
// else a placeholder at the path-less role ARN.
UNWIND $rows AS row
MATCH (s:ResourceStatement {key: row.statementKey})
OPTIONAL MATCH (existing:Role {accountId: row.accountId, name: row.roleName})
MERGE (t:Principal {arn: coalesce(existing.arn, row.target)})
ON CREATE SET t.placeholder = true, t.accountId = row.accountId, t.roleName = row.roleName
CREATE (s)-[e:NAMES]->(t)
SET e = row.edge
