// Every credential and security fact #16 loaded, one row per node, for one account ($accountId) or every
// account ($accountId null): the reader groups them into one AccountSecurityRecord per account. `kind` says
// what the node is; AccessKey.source says which loader wrote it (report or snapshot). A snapshot names
// users only by UserName: their ARN (with its path) comes from the loaded User of that name when there is one.
MATCH (n:CredentialReport) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'report' AS kind, properties(n) AS facts
UNION ALL
MATCH (n:CredentialReportUser) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'reportUser' AS kind, properties(n) AS facts
UNION ALL
MATCH (n:SecuritySnapshot) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'snapshot' AS kind, properties(n) AS facts
UNION ALL
MATCH (n:AccessKey) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'accessKey' AS kind, n {.*, userArn: coalesce(
  COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn
)} AS facts
UNION ALL
MATCH (n:MfaDevice) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'mfaDevice' AS kind, n {.*, userArn: coalesce(
  COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn
)} AS facts
UNION ALL
MATCH (n:LoginProfile) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'loginProfile' AS kind, n {.*, userArn: coalesce(
  COLLECT { MATCH (u:User {accountId: n.accountId, name: n.userName}) RETURN u.arn }[0], n.userArn
)} AS facts
UNION ALL
MATCH (n:Trail) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'trail' AS kind, properties(n) AS facts
UNION ALL
MATCH (n:ConfigRecorder) WHERE $accountId IS NULL OR n.accountId = $accountId
RETURN n.accountId AS accountId, 'recorder' AS kind, properties(n) AS facts
