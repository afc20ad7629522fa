UNWIND $rows AS row
MATCH (u:Principal {arn: row.source})
MATCH (g:Group {arn: row.target})
CREATE (u)-[:MEMBER_OF]->(g)
