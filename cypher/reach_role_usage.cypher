// Every role of one account ($accountId), or of every account ($accountId null), with GAAD's CreateDate and
// RoleLastUsed.LastUsedDate: what the audit's unused-role check reads (#16). One query for an organization.
CALL {
  MATCH (r:Principal {accountId: $accountId})
  WHERE r:Role
  RETURN r
  UNION
  MATCH (r:Role)
  WHERE $accountId IS NULL AND r.accountId IS NOT NULL
  RETURN r
}
RETURN r.arn AS arn, r.name AS name, r.accountId AS accountId, r.createDate AS created, r.lastUsed AS lastUsed,
       coalesce(r.isServiceLinked, false) AS isServiceLinked
ORDER BY arn
