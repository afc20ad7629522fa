// Loaded resources per account and type (#14), for stats and history rows; of one account when $accountId
// is not null.
MATCH (a:Account)<-[:RESOURCE_IN]-(r:Resource)
WHERE $accountId IS NULL OR a.id = $accountId
RETURN a.id AS accountId, r.type AS type, count(r) AS resources
