// A resource's policy document (compact JSON, as decoded).
UNWIND $rows AS row
MATCH (r:Resource {arn: row.resourceArn})
CREATE (r)-[:HAS_RESOURCE_POLICY]->(:ResourcePolicy {resourceArn: row.resourceArn, document: row.document})
