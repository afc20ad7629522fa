// A security snapshot replaces the account's previous one and nothing else: the password policy, summary,
// access keys (source 'snapshot'), MFA devices, login profiles, trails and recorders; the credential
// report's facts stay. $accountId.
CALL {
  MATCH (n:SecuritySnapshot {accountId: $accountId}) RETURN n
  UNION ALL
  MATCH (n:AccessKey {accountId: $accountId}) WHERE n.source = 'snapshot' RETURN n
  UNION ALL
  MATCH (n:MfaDevice {accountId: $accountId}) RETURN n
  UNION ALL
  MATCH (n:LoginProfile {accountId: $accountId}) RETURN n
  UNION ALL
  MATCH (n:Trail {accountId: $accountId}) RETURN n
  UNION ALL
  MATCH (n:ConfigRecorder {accountId: $accountId}) RETURN n
}
DETACH DELETE n
RETURN count(n) AS removed
