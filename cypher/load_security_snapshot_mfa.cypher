// A security snapshot's MFA devices (virtual and hardware), by serial number, under the snapshot.
// $accountId, $rows.
MATCH (snapshot:SecuritySnapshot {accountId: $accountId})
UNWIND $rows AS row
CREATE (node:MfaDevice)
SET node = row
CREATE (snapshot)-[:HAS_MFA_DEVICE]->(node)
