// A placeholder with the same ARN (created by another account's trust policy) becomes the user.
MATCH (a:Account {id: $accountId})
UNWIND $rows AS row
MERGE (n:Principal {arn: row.arn})
SET n = row, n:User
MERGE (n)-[:IN_ACCOUNT]->(a)
