MATCH (a:Account {id: $accountId})
UNWIND $rows AS row
MERGE (n:Group {arn: row.arn})
SET n = row
MERGE (n)-[:IN_ACCOUNT]->(a)
