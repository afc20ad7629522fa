// One node per report row (the root user's row too), under its report. $accountId, $rows.
MATCH (report:CredentialReport {accountId: $accountId})
UNWIND $rows AS row
CREATE (user:CredentialReportUser)
SET user = row
CREATE (report)-[:REPORTS]->(user)
