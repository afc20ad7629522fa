// Every loaded resource of one account ($accountId) with its resource policy document (null: none), its
// account's S3 Block Public Access setting (S3 buckets only) and a KMS key's alias ARNs.
MATCH (a:Account {id: $accountId})<-[:RESOURCE_IN]-(r:Resource)
RETURN r.arn AS arn, r.type AS type, a.id AS accountId, r.region AS region,
       head([(r)-[:HAS_RESOURCE_POLICY]->(p:ResourcePolicy) | p.document]) AS policy, r.tags AS tags,
       r.publicAccessBlock AS publicAccessBlock,
       CASE WHEN r:S3Bucket THEN a.s3PublicAccessBlock END AS accountPublicAccessBlock,
       r.keyManager AS keyManager, r.role AS role,
       [(alias:ResourceAlias)-[:ALIAS_OF]->(r) | alias.arn] AS aliases
ORDER BY arn
