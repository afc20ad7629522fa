// Customer managed, inline and unknown customer policies of the account.
MATCH (a:Account {id: $accountId})
UNWIND $rows AS row
MERGE (n:Policy {arn: row.arn})
SET n = row
MERGE (n)-[:IN_ACCOUNT]->(a)
