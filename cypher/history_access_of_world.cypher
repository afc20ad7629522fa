// The access record of the world made of exactly the loads $world (their ids, sorted), if one was recorded
// (service/history/access_store.py).
MATCH (a:HistoryAccess)
WHERE a.world = $world
RETURN properties(a) AS record
ORDER BY a.time DESC
LIMIT 1
