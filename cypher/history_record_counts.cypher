// The counts worked out from the graph after a load (service/history/counts.py) on the load record each
// belongs to. $rows: [{id, counts: {name: int or null}}].
UNWIND $rows AS row
MATCH (l:HistoryLoad {id: row.id})
SET l += row.counts
