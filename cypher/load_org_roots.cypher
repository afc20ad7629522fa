MATCH (o:Organization {id: $orgId})
UNWIND $rows AS row
MERGE (n:OrgRoot {id: row.id})
SET n = row, n.organizationId = $orgId
CREATE (n)-[:ROOT_OF]->(o)
