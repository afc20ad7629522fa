// Every role of one account with GAAD's CreateDate and RoleLastUsed.LastUsedDate: what the audit's
// unused-role check reads (#16). $accountId.
MATCH (r:Principal {accountId: $accountId})
WHERE r:Role
RETURN r.arn AS arn, r.name AS name, r.accountId AS accountId, r.createDate AS created, r.lastUsed AS lastUsed,
       coalesce(r.isServiceLinked, false) AS isServiceLinked
ORDER BY arn
