// The loaded resources with these exact ARNs ($arns); a KMS alias ARN finds its key. The same columns as
// reach_resources_account. An ARN nothing was loaded for has no row.
UNWIND $arns AS wanted
CALL (wanted) {
  MATCH (r:Resource {arn: wanted}) RETURN r
  UNION
  MATCH (:ResourceAlias {arn: wanted})-[:ALIAS_OF]->(r:Resource) RETURN r
}
WITH DISTINCT r
MATCH (r)-[:RESOURCE_IN]->(a:Account)
RETURN r.arn AS arn, r.type AS type, a.id AS accountId, r.region AS region,
       head([(r)-[:HAS_RESOURCE_POLICY]->(p:ResourcePolicy) | p.document]) AS policy, r.tags AS tags,
       r.publicAccessBlock AS publicAccessBlock,
       CASE WHEN r:S3Bucket THEN a.s3PublicAccessBlock END AS accountPublicAccessBlock,
       r.keyManager AS keyManager, r.role AS role,
       [(alias:ResourceAlias)-[:ALIAS_OF]->(r) | alias.arn] AS aliases
ORDER BY arn
