// A credential report replaces the account's previous one and nothing else: its rows and the access keys it
// reported (source 'report'); the security snapshot's facts stay. $accountId.
CALL {
  MATCH (n:CredentialReport {accountId: $accountId}) RETURN n
  UNION ALL
  MATCH (n:CredentialReportUser {accountId: $accountId}) RETURN n
  UNION ALL
  MATCH (n:AccessKey {accountId: $accountId}) WHERE n.source = 'report' RETURN n
}
DETACH DELETE n
RETURN count(n) AS removed
