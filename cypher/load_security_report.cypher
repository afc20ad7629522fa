// The account's credential report: when AWS generated it, the file it came from. $accountId, $report.
CREATE (report:CredentialReport)
SET report = $report, report.accountId = $accountId
