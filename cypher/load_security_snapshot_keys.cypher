// A security snapshot's access keys, with their ids, under the snapshot. $accountId, $rows.
MATCH (snapshot:SecuritySnapshot {accountId: $accountId})
UNWIND $rows AS row
CREATE (node:AccessKey)
SET node = row
CREATE (snapshot)-[:HAS_ACCESS_KEY]->(node)
