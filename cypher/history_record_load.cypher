// One load of one unit (an account, an organization), written in the transaction that writes its snapshot:
// a load that rolls back leaves no record, so the latest record is always the snapshot the graph holds.
// $load: {id, unit, unitId, time, source, commit, counts...}.
CREATE (l:HistoryLoad)
SET l = $load
