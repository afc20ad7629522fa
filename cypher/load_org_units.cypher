UNWIND $rows AS row
MERGE (n:OrganizationalUnit {id: row.id})
SET n = row, n.organizationId = $orgId
