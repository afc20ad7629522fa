// A security snapshot's users' console passwords (login profiles), under the snapshot. $accountId, $rows.
MATCH (snapshot:SecuritySnapshot {accountId: $accountId})
UNWIND $rows AS row
CREATE (node:LoginProfile)
SET node = row
CREATE (snapshot)-[:HAS_LOGIN_PROFILE]->(node)
