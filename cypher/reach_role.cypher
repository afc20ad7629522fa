// The role a question is about, with its trust policy. $arn: role ARN.
MATCH (r:Principal:Role {arn: $arn})  // Principal(arn) is the unique key; Role alone would scan every role
RETURN r.arn AS arn, r.name AS name, r.id AS id, r.accountId AS accountId, r.trustPolicy AS trustPolicy
