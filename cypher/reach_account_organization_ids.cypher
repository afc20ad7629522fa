// Which organization each account of a loaded organization snapshot belongs to (for the trust review).
MATCH (a:Account)-[:CHILD_OF*1..10]->(:OrgRoot)-[:ROOT_OF]->(org:Organization)
RETURN a.id AS accountId, org.id AS organizationId
