// reach_account_policies for several accounts ($accountIds), one row per account, every document included
// except an AWS managed policy's: it is the same in every account, read once by ARN (reach_policy_documents).
UNWIND $accountIds AS accountId
MATCH (p:Principal {accountId: accountId})
WHERE p:User OR p:Role
MATCH (p)-[:MEMBER_OF*0..1]->()-[:HAS_POLICY|HAS_BOUNDARY]->(pol:Policy)
WITH DISTINCT accountId, pol
RETURN accountId, collect({
  arn: pol.arn, name: pol.name, kind: pol.kind, known: pol.known, versionId: pol.versionId,
  document: CASE WHEN pol.arn STARTS WITH 'arn:aws:iam::aws:policy/' THEN null ELSE pol.document END
}) AS policies
