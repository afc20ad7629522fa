// Recorded loads, newest first; of one unit id (an account or organization id) when $unitId is not null.
MATCH (l:HistoryLoad)
WHERE $unitId IS NULL OR l.unitId = $unitId
RETURN properties(l) AS load
ORDER BY l.time DESC, l.id
LIMIT $limit
