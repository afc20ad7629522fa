// Member accounts: a placeholder (loaded: false) until the account's own IAM snapshot is loaded.
UNWIND $rows AS row
MERGE (a:Account {id: row.id})
ON CREATE SET a.loaded = false
SET a.name = row.name, a.arn = row.arn, a.email = row.email, a.status = row.status,
    a.joinedMethod = row.joinedMethod, a.joinedTimestamp = row.joinedTimestamp,
    a.parentId = row.parentId, a.organizationId = $orgId
WITH a, row
CALL (row) {
  MATCH (p:OrgRoot {id: row.parentId}) RETURN p
  UNION
  MATCH (p:OrganizationalUnit {id: row.parentId}) RETURN p
}
CREATE (a)-[:CHILD_OF]->(p)
