// A placeholder with the same ARN (created by another account's trust policy) becomes the role.
MATCH (a:Account {id: $accountId})
UNWIND $rows AS row
MERGE (n:Principal {arn: row.arn})
SET n = row, n:Role
MERGE (n)-[:IN_ACCOUNT]->(a)
