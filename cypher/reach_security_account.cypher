// reach_security.cypher for one account ($accountId), by equality on the indexed accountId, which the
// planner reads through the indexes of cypher/schema.cypher (`$accountId IS NULL OR n.accountId = $accountId`
// scans every node of each label: 70-120 ms an account at 100k principals, where this takes about 20 ms).
MATCH (n:CredentialReport) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'report' AS kind, collect(n {.generatedTime}) AS facts
UNION ALL
MATCH (n:CredentialReportUser) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'reportUser' AS kind, collect(n {
  .userName, .name, .arn, .created, .passwordEnabled, .passwordLastUsed, .passwordUsedKnown, .passwordLastChanged,
  .mfaActive
}) AS facts
UNION ALL
MATCH (n:SecuritySnapshot) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'snapshot' AS kind,
       collect(n {.passwordPolicy, .summary, .notCollected, .loginProfilesKnown}) AS facts
UNION ALL
MATCH (n:AccessKey) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'accessKey' AS kind, collect(n {
  .userName, .source, .accessKeyId, .slot, .active, .created, .lastUsed, .lastUsedService,
  userArn: coalesce(COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn)
}) AS facts
UNION ALL
MATCH (n:MfaDevice) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'mfaDevice' AS kind, collect(n {
  .userName, .serial,
  userArn: coalesce(COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn)
}) AS facts
UNION ALL
MATCH (n:LoginProfile) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'loginProfile' AS kind, collect(n {
  .userName,
  userArn: coalesce(COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn)
}) AS facts
UNION ALL
MATCH (n:Trail) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'trail' AS kind,
       collect(n {.name, .multiRegion, .logging, .homeRegion, .managementEvents}) AS facts
UNION ALL
MATCH (n:ConfigRecorder) WHERE n.accountId = $accountId
RETURN n.accountId AS accountId, 'recorder' AS kind, collect(n {.name, .recording, .allSupported}) AS facts
