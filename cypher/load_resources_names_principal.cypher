// A user or role a resource policy statement names; a placeholder until its account is loaded.
UNWIND $rows AS row
MATCH (s:ResourceStatement {key: row.statementKey})
MERGE (t:Principal {arn: row.target})
ON CREATE SET t.placeholder = true, t.accountId = row.accountId
CREATE (s)-[e:NAMES]->(t)
SET e = row.edge
