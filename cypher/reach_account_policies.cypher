// Every policy the users, roles and groups of one account use (attached, through a group, as boundary),
// with its document unless the caller holds that version already. $accountId; $cached: ARNs the caller
// has a document for (it compares versionId to see whether it is still current).
MATCH (p:Principal {accountId: $accountId})
WHERE p:User OR p:Role
MATCH (p)-[:MEMBER_OF*0..1]->()-[:HAS_POLICY|HAS_BOUNDARY]->(pol:Policy)
WITH DISTINCT pol
RETURN pol.arn AS arn, pol.name AS name, pol.kind AS kind, pol.known AS known, pol.versionId AS versionId,
       CASE WHEN pol.arn IN $cached THEN null ELSE pol.document END AS document
