// Which facts one load recorded, without their bodies (read once per hash: history_fact_bodies_of). $id.
MATCH (:HistoryLoad {id: $id})-[:RECORDS]->(f:HistoryFact)
RETURN f.kind AS kind, f.key AS key, f.hash AS hash
