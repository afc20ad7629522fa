// One node per statement of a resource policy, keyed <resource arn>#<statement index>.
UNWIND $rows AS row
MATCH (p:ResourcePolicy {resourceArn: row.resourceArn})
CREATE (p)-[:HAS_STATEMENT]->(s:ResourceStatement)
SET s = row
