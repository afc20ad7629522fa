// Managed attachments and inline policies of users and roles.
UNWIND $rows AS row
MATCH (s:Principal {arn: row.source})
MATCH (p:Policy {arn: row.target})
CREATE (s)-[:HAS_POLICY]->(p)
