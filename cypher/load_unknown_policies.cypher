// Policies referenced but absent from the input (AWS managed, or another account's): never overwrite
// what is already known about them.
UNWIND $rows AS row
MERGE (n:Policy {arn: row.arn})
ON CREATE SET n = row
