// A security snapshot's CloudTrail trails (shadow trails of other regions included), under the snapshot.
// $accountId, $rows.
MATCH (snapshot:SecuritySnapshot {accountId: $accountId})
UNWIND $rows AS row
CREATE (node:Trail)
SET node = row
CREATE (snapshot)-[:HAS_TRAIL]->(node)
