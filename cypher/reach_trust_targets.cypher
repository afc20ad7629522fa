// Everything a role's trust policy names (one row per TRUSTS edge). These edges only narrow the candidates:
// the evaluator decides each one from the full trust document. $arn: role ARN.
MATCH (:Principal:Role {arn: $arn})-[t:TRUSTS]->(x)  // through the Principal(arn) key
RETURN t.statementIndex AS statementIndex, t.sid AS sid, t.effect AS effect, t.notPrincipal AS notPrincipal,
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
