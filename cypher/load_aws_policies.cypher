// AWS managed policies are global: keep the newest document any account's load has seen.
UNWIND $rows AS row
MERGE (n:Policy {arn: row.arn})
WITH n, row
WHERE NOT coalesce(n.known, false) OR n.updateDate IS NULL OR row.updateDate IS NULL
   OR row.updateDate >= n.updateDate
SET n = row
