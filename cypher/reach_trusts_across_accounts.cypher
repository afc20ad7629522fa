// Every Allow trust statement principal of every role (optionally of one account) that may reach outside the
// role's account: another account, a principal of another account, anyone (`*`, NotPrincipal), or an
// external principal other than an AWS service. The organizations come from reach_account_organization_ids.
// $accountId: a role account id or null.
CALL () {
  // One account's roles through the Principal(accountId) index, or every role.
  WITH $accountId AS wanted WHERE wanted IS NOT NULL
  MATCH (r:Principal {accountId: wanted}) WHERE r:Role RETURN r
  UNION
  WITH $accountId AS wanted WHERE wanted IS NULL
  MATCH (r:Role) RETURN r
}
MATCH (r)-[t:TRUSTS]->(x)
WHERE t.effect = 'Allow'
  AND NOT (x:ExternalPrincipal AND x.kind = 'service')
WITH r, t, x, CASE WHEN x:Account THEN x.id ELSE x.accountId END AS trustedAccountId
WHERE t.notPrincipal OR trustedAccountId IS NULL OR trustedAccountId <> r.accountId
OPTIONAL MATCH (trusted:Account {id: trustedAccountId})
RETURN r.arn AS roleArn, r.name AS roleName, r.accountId AS roleAccountId, r.trustPolicy AS trustPolicy,
       t.statementIndex AS statementIndex, t.sid AS sid, t.effect AS effect, t.notPrincipal AS notPrincipal,
       t.conditions AS conditions, t.principalType AS principalType, t.principal AS principal,
       CASE
         WHEN x:Account THEN 'account'
         WHEN x:ExternalPrincipal THEN 'external'
         WHEN x:User THEN 'user'
         WHEN x:Role THEN 'role'
         ELSE 'placeholder'
       END AS targetKind,
       CASE WHEN x:Account THEN x.id ELSE coalesce(x.arn, x.key, x.id) END AS target, x.name AS targetName,
       x.kind AS externalKind, x.value AS externalValue, trustedAccountId,
       coalesce(trusted.loaded, false) AS trustedAccountLoaded
ORDER BY roleArn, statementIndex, target
