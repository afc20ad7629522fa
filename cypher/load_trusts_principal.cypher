// A user or role named in a trust policy; a placeholder until its account is loaded.
UNWIND $rows AS row
MATCH (r:Principal {arn: row.roleArn})
MERGE (t:Principal {arn: row.target})
ON CREATE SET t.placeholder = true, t.accountId = row.accountId
CREATE (r)-[e:TRUSTS]->(t)
SET e = row.edge
