// SCPs and RCPs. Customer policies belong to the organization; AWS managed ones are shared.
UNWIND $rows AS row
MERGE (p:OrgPolicy {arn: row.props.arn})
SET p = row.props
SET p.organizationId = CASE WHEN row.props.awsManaged THEN null ELSE $orgId END
WITH p, row
UNWIND row.targets AS target
CALL (target) {
  MATCH (t:OrgRoot {id: target}) RETURN t
  UNION
  MATCH (t:OrganizationalUnit {id: target}) RETURN t
  UNION
  MATCH (t:Account {id: target}) RETURN t
}
CREATE (p)-[:ATTACHED_TO]->(t)
