// Every trust statement principal of every role (optionally of one account), with the role's and the trusted
// account's organization, for the cross-account trust review. $accountId: a role account id or null.
MATCH (r:Role)-[t:TRUSTS]->(x)
WHERE $accountId IS NULL OR r.accountId = $accountId
WITH r, t, x, CASE WHEN x:Account THEN x.id ELSE x.accountId END AS trustedAccountId
OPTIONAL MATCH (:Account {id: r.accountId})-[:CHILD_OF*1..10]->(:OrgRoot)-[:ROOT_OF]->(roleOrg:Organization)
OPTIONAL MATCH (trusted:Account {id: trustedAccountId})
OPTIONAL MATCH (trusted)-[:CHILD_OF*1..10]->(:OrgRoot)-[:ROOT_OF]->(trustedOrg:Organization)
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
       CASE WHEN x:Account THEN x.id ELSE coalesce(x.arn, x.key, x.id) END AS target, x.name AS targetName, x.kind AS externalKind,
       x.value AS externalValue, trustedAccountId, coalesce(trusted.loaded, false) AS trustedAccountLoaded,
       roleOrg.id AS roleOrganizationId, trustedOrg.id AS trustedOrganizationId
ORDER BY roleArn, statementIndex, target
