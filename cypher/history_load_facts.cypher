// Every fact one load recorded. $id.
MATCH (:HistoryLoad {id: $id})-[:RECORDS]->(f:HistoryFact)
RETURN f.kind AS kind, f.key AS key, f.body AS body
