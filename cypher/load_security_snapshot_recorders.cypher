// A security snapshot's AWS Config configuration recorders, under the snapshot. $accountId, $rows.
MATCH (snapshot:SecuritySnapshot {accountId: $accountId})
UNWIND $rows AS row
CREATE (node:ConfigRecorder)
SET node = row
CREATE (snapshot)-[:HAS_RECORDER]->(node)
