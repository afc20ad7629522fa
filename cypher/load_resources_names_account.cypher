// An account a statement names (root ARN or bare id): delegation, one edge to the account.
UNWIND $rows AS row
MATCH (s:ResourceStatement {key: row.statementKey})
MERGE (t:Account {id: row.target})
ON CREATE SET t.loaded = false
CREATE (s)-[e:NAMES]->(t)
SET e = row.edge
