// Every role of one account ($accountId), or of every account ($accountId null), with GAAD's CreateDate and
// RoleLastUsed.LastUsedDate: what the audit's unused-role check reads (#16). One query for an organization,
// one row per account with its roles collected in ARN order (a row per role cost 60k rows at 100k principals).
CALL {
  MATCH (r:Principal {accountId: $accountId})
  WHERE r:Role
  RETURN r
  UNION
  MATCH (r:Role)
  WHERE $accountId IS NULL AND r.accountId IS NOT NULL
  RETURN r
}
WITH r ORDER BY r.arn
RETURN r.accountId AS accountId, collect({
  arn: r.arn, name: r.name, accountId: r.accountId, created: r.createDate, lastUsed: r.lastUsed,
  isServiceLinked: coalesce(r.isServiceLinked, false)
}) AS roles
