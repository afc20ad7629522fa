// The role a question is about, with its trust policy. $arn: role ARN.
MATCH (r:Role {arn: $arn})
RETURN r.arn AS arn, r.name AS name, r.id AS id, r.accountId AS accountId, r.trustPolicy AS trustPolicy
