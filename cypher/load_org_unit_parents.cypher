UNWIND $rows AS row
MATCH (n:OrganizationalUnit {id: row.id})
CALL (row) {
  MATCH (p:OrgRoot {id: row.parentId}) RETURN p
  UNION
  MATCH (p:OrganizationalUnit {id: row.parentId}) RETURN p
}
CREATE (n)-[:CHILD_OF]->(p)
