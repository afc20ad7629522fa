// One recorded load by id. $id.
MATCH (l:HistoryLoad {id: $id})
RETURN properties(l) AS load
