// The bodies of facts created without one (see history_record_facts). $rows: [{hash, body}].
UNWIND $rows AS row
MATCH (f:HistoryFact {hash: row.hash})
SET f.body = row.body
