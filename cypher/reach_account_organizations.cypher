// For each account: its organization, and the SCPs/RCPs attached at each level from the root down to the
// account itself (the order AWS requires an Allow at). $accountIds: account ids.
UNWIND $accountIds AS wanted
MATCH (a:Account {id: wanted})
OPTIONAL MATCH chain = (a)-[:CHILD_OF*1..10]->(:OrgRoot)-[:ROOT_OF]->(org:Organization)
WITH a, org, CASE WHEN chain IS NULL THEN [] ELSE reverse([n IN nodes(chain) WHERE NOT n:Organization]) END AS levels
RETURN a.id AS accountId, coalesce(a.loaded, false) AS loaded, org.id AS organizationId,
       org.managementAccountId AS managementAccountId,
       [level IN levels | {
          id: level.id,
          policies: [(op:OrgPolicy)-[:ATTACHED_TO]->(level) | {id: op.id, name: op.name, type: op.type, document: op.document}]
       }] AS levels
