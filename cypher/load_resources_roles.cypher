// A Lambda function's execution role; a placeholder until the role's account is loaded.
UNWIND $rows AS row
MATCH (r:Resource {arn: row.arn})
MERGE (t:Principal {arn: row.role})
ON CREATE SET t.placeholder = true, t.accountId = row.accountId
CREATE (r)-[:EXECUTES_AS]->(t)
