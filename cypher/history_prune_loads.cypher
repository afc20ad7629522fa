// Forget a unit's loads beyond the newest $keep, with the access records of the worlds they were part of;
// return the hashes of the facts they recorded (those no other load records are deleted next, by
// history_prune_facts). $unit, $unitId, $keep.
MATCH (l:HistoryLoad {unit: $unit, unitId: $unitId})
WITH l ORDER BY l.time DESC SKIP $keep
OPTIONAL MATCH (l)-[:RECORDS]->(f:HistoryFact)
WITH collect(DISTINCT l) AS loads, collect(DISTINCT f.hash) AS hashes
CALL (loads) {
  UNWIND loads AS l
  MATCH (a:HistoryAccess)-[:OF]->(l)
  WITH DISTINCT a
  DETACH DELETE a
}
FOREACH (l IN loads | DETACH DELETE l)
RETURN size(loads) AS pruned, hashes
