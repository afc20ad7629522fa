// A KMS key's aliases: `resources` finds the key by an alias ARN through them.
UNWIND $rows AS row
MATCH (r:Resource {arn: row.keyArn})
CREATE (:ResourceAlias {arn: row.arn, accountId: r.accountId})-[:ALIAS_OF]->(r)
