// What the new snapshot no longer has. AWS managed org policies (FullAWSAccess…) are shared, global.
CALL () {
  MATCH (n:OrganizationalUnit {organizationId: $orgId}) WHERE NOT n.id IN $unitIds DETACH DELETE n
}
CALL () {
  MATCH (n:OrgRoot {organizationId: $orgId}) WHERE NOT n.id IN $rootIds DETACH DELETE n
}
CALL () {
  MATCH (n:OrgPolicy {organizationId: $orgId}) WHERE NOT n.arn IN $policyArns DETACH DELETE n
}
CALL () {
  MATCH (n:Account {organizationId: $orgId}) WHERE NOT n.id IN $accountIds REMOVE n.organizationId
}
