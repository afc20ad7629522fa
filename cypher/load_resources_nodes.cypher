// The account's resources: Resource plus the type's label (from the loader's allow-list, never input text).
MATCH (a:Account {id: $accountId})
UNWIND $rows AS row
CREATE (r:Resource)
SET r = row.props, r:$(row.label)
CREATE (r)-[:RESOURCE_IN]->(a)
