// Delegation to an account (root ARN or bare id): one edge to the account, never one per principal.
UNWIND $rows AS row
MATCH (r:Principal {arn: row.roleArn})
MERGE (t:Account {id: row.target})
ON CREATE SET t.loaded = false
CREATE (r)-[e:TRUSTS]->(t)
SET e = row.edge
