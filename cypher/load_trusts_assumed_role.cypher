// An assumed-role session ARN names the role without its path: find the role by name in its account,
// else keep a placeholder that remembers the name (load_account_relink fixes it up later).
UNWIND $rows AS row
MATCH (r:Principal {arn: row.roleArn})
OPTIONAL MATCH (existing:Role {accountId: row.accountId, name: row.roleName})
MERGE (t:Principal {arn: coalesce(existing.arn, row.target)})
ON CREATE SET t.placeholder = true, t.accountId = row.accountId, t.roleName = row.roleName
CREATE (r)-[e:TRUSTS]->(t)
SET e = row.edge
