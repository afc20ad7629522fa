// Every loaded resource of every account; the same columns as reach_resources_account.
MATCH (a:Account)<-[:RESOURCE_IN]-(r:Resource)
RETURN r.arn AS arn, r.type AS type, a.id AS accountId, r.region AS region,
       head([(r)-[:HAS_RESOURCE_POLICY]->(p:ResourcePolicy) | p.document]) AS policy, r.tags AS tags,
       r.publicAccessBlock AS publicAccessBlock,
       CASE WHEN r:S3Bucket THEN a.s3PublicAccessBlock END AS accountPublicAccessBlock,
       r.keyManager AS keyManager, r.role AS role,
       [(alias:ResourceAlias)-[:ALIAS_OF]->(r) | alias.arn] AS aliases
ORDER BY arn
