// Placeholders, unknown policies and external principals the old snapshot pointed at and nothing
// points at any more.
UNWIND $candidates AS id
MATCH (n) WHERE elementId(n) = id
WITH n
WHERE (n.placeholder = true OR n.known = false OR n:ExternalPrincipal) AND NOT EXISTS { (n)--() }
DELETE n
RETURN count(*) AS deleted
