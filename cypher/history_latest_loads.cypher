// Per unit (account, organization): its newest load recorded at or before $time (ISO 8601 UTC text, which
// sorts as time does); every unit's newest when $time is null.
MATCH (l:HistoryLoad)
WHERE $time IS NULL OR l.time <= $time
WITH l.unit AS unit, l.unitId AS unitId, l ORDER BY l.time DESC
WITH unit, unitId, head(collect(l)) AS latest
RETURN properties(latest) AS load
