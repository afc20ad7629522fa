// Record the access of the world made of the loads $world (ids, sorted): $record (encoded parts), $bytes,
// $time; a record of the same world made before is replaced.
OPTIONAL MATCH (old:HistoryAccess)
WHERE old.world = $world
DETACH DELETE old
WITH count(*) AS replaced
CREATE (a:HistoryAccess)
SET a = $record, a.world = $world, a.bytes = $bytes, a.time = $time
WITH a
UNWIND $world AS id
MATCH (l:HistoryLoad {id: id})
MERGE (a)-[:OF]->(l)
