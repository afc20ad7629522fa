// The access keys a report row shows (slot 1 or 2, no id), under their row. $rows.
UNWIND $rows AS row
MATCH (user:CredentialReportUser {arn: row.userArn})
CREATE (key:AccessKey)
SET key = row
CREATE (user)-[:HAS_ACCESS_KEY]->(key)
