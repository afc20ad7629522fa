// The roles a question is about, with their trust policies, in one read (the escalation walk reads every
// role of a hop at once). $arns: role ARNs; an ARN with no role gives no row.
UNWIND $arns AS arn
MATCH (r:Principal:Role {arn: arn})  // Principal(arn) is the unique key; Role alone would scan every role
RETURN r.arn AS arn, r.name AS name, r.id AS id, r.accountId AS accountId, r.trustPolicy AS trustPolicy
