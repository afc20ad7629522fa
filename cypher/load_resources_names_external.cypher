// Services, "*", identity providers, canonical users, unresolved unique ids: the global ExternalPrincipal.
UNWIND $rows AS row
MATCH (s:ResourceStatement {key: row.statementKey})
MERGE (t:ExternalPrincipal {key: row.target})
ON CREATE SET t.kind = row.kind, t.value = row.value
CREATE (s)-[e:NAMES]->(t)
SET e = row.edge
