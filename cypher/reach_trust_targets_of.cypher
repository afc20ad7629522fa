// Everything the trust policies of some roles name (one row per TRUSTS edge, with its role): the escalation
// walk reads the roles of a hop at once. $arns: role ARNs.
UNWIND $arns AS arn
MATCH (:Principal:Role {arn: arn})-[t:TRUSTS]->(x)  // through the Principal(arn) key
RETURN arn AS role, t.statementIndex AS statementIndex, t.sid AS sid, t.effect AS effect, t.notPrincipal AS notPrincipal,
       t.principalType AS principalType, t.principal AS principal,
       CASE
         WHEN x:Account THEN 'account'
         WHEN x:ExternalPrincipal THEN 'external'
         WHEN x:User THEN 'user'
         WHEN x:Role THEN 'role'
         ELSE 'placeholder'
       END AS targetKind,
       CASE WHEN x:Account THEN x.id ELSE coalesce(x.arn, x.key, x.id) END AS target,
       CASE WHEN x:Account THEN x.id ELSE x.accountId END AS targetAccountId,
       coalesce(x.loaded, false) AS targetLoaded,
       x.kind AS externalKind, x.value AS externalValue
