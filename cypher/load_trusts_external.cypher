// Services, identity providers, "*", canonical users, unresolved unique ids: global nodes.
UNWIND $rows AS row
MATCH (r:Principal {arn: row.roleArn})
MERGE (t:ExternalPrincipal {key: row.target})
ON CREATE SET t.kind = row.kind, t.value = row.value
CREATE (r)-[e:TRUSTS]->(t)
SET e = row.edge
