// Link a load to its facts; a fact seen in no earlier load is created (content-addressed by its hash, so an
// unchanged entity is the same node in every load). $loadId; $rows: [{hash, kind, key, body}], body null
// for a fact history_known_facts found. Returns the hashes that came without a body and have none: a
// concurrent load pruned them in between; the caller sends those bodies (history_fact_bodies).
MATCH (l:HistoryLoad {id: $loadId})
UNWIND $rows AS row
MERGE (f:HistoryFact {hash: row.hash})
  ON CREATE SET f.kind = row.kind, f.key = row.key, f.body = row.body
CREATE (l)-[:RECORDS]->(f)
WITH f, row WHERE f.body IS NULL
RETURN collect(row.hash) AS missing
