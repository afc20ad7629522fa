// Placeholders, unknown policies, external principals and never-loaded accounts the old snapshot
// pointed at and nothing points at any more.
// Locked before the check, as in load_account_demote: a concurrent load may be adding an edge into it.
UNWIND $candidates AS id
MATCH (n) WHERE elementId(n) = id
SET n.loadLock = true
REMOVE n.loadLock
WITH n
WHERE (n.placeholder = true OR n.known = false OR n:ExternalPrincipal OR (n:Account AND n.loaded = false))
  AND NOT EXISTS { (n)--() }
DELETE n
RETURN count(*) AS deleted
