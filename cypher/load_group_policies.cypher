UNWIND $rows AS row
MATCH (s:Group {arn: row.source})
MATCH (p:Policy {arn: row.target})
CREATE (s)-[:HAS_POLICY]->(p)
