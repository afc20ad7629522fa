// Placeholders, unknown policies, external principals and never-loaded accounts the old snapshot
// pointed at and nothing points at any more.
UNWIND $candidates AS id
MATCH (n) WHERE elementId(n) = id
WITH n
WHERE (n.placeholder = true OR n.known = false OR n:ExternalPrincipal OR (n:Account AND n.loaded = false))
  AND NOT EXISTS { (n)--() }
DELETE n
RETURN count(*) AS deleted
