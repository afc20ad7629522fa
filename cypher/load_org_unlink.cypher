// Delete the organization's structure edges (recreated from the new snapshot): everything touching its
// roots, OUs and member accounts, plus the old placement of accounts that the new snapshot lists.
CALL () {
  MATCH (n:OrgRoot {organizationId: $orgId}) RETURN n
  UNION
  MATCH (n:OrganizationalUnit {organizationId: $orgId}) RETURN n
  UNION
  MATCH (n:Account {organizationId: $orgId}) RETURN n
  UNION
  UNWIND $accountIds AS id
  MATCH (n:Account {id: id}) RETURN n
}
MATCH (n)-[r:CHILD_OF|ATTACHED_TO|ROOT_OF]-()
WITH DISTINCT r
DELETE r
