// Every credential and security fact #16 loaded, for one account ($accountId) or every account ($accountId
// null): one row per account and kind of node, its nodes collected as maps of only the properties the audit
// reads (a row per node cost an organization of 100k users most of the audit). The reader groups them into
// one AccountSecurityRecord per account. AccessKey.source says which loader wrote the key (report or
// snapshot). A snapshot names users only by UserName: their ARN (with its path) comes from the loaded User of
// that name when there is one.
MATCH (n:CredentialReport) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'report' AS kind, collect(n {.generatedTime}) AS facts
UNION ALL
MATCH (n:CredentialReportUser) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'reportUser' AS kind, collect(n {
  .userName, .name, .arn, .created, .passwordEnabled, .passwordLastUsed, .passwordUsedKnown, .passwordLastChanged,
  .mfaActive
}) AS facts
UNION ALL
MATCH (n:SecuritySnapshot) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'snapshot' AS kind,
       collect(n {.passwordPolicy, .summary, .notCollected, .loginProfilesKnown}) AS facts
UNION ALL
MATCH (n:AccessKey) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'accessKey' AS kind, collect(n {
  .userName, .source, .accessKeyId, .slot, .active, .created, .lastUsed, .lastUsedService,
  userArn: coalesce(COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn)
}) AS facts
UNION ALL
MATCH (n:MfaDevice) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'mfaDevice' AS kind, collect(n {
  .userName, .serial,
  userArn: coalesce(COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn)
}) AS facts
UNION ALL
MATCH (n:LoginProfile) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'loginProfile' AS kind, collect(n {
  .userName,
  userArn: coalesce(COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn)
}) AS facts
UNION ALL
MATCH (n:Trail) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'trail' AS kind,
       collect(n {.name, .multiRegion, .logging, .homeRegion, .managementEvents}) AS facts
UNION ALL
MATCH (n:ConfigRecorder) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'recorder' AS kind, collect(n {.name, .recording, .allSupported}) AS facts
