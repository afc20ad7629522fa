UNWIND $rows AS row
MATCH (s:Principal {arn: row.source})
MATCH (p:Policy {arn: row.target})
CREATE (s)-[:HAS_BOUNDARY]->(p)
