// What history holds: loads, facts, load-to-fact links, and access records with their bytes (the store
// growth per load is read from these).
CALL () { MATCH (l:HistoryLoad) RETURN count(l) AS loads }
CALL () { MATCH (f:HistoryFact) RETURN count(f) AS facts, sum(size(f.body)) AS factBytes }
CALL () { MATCH (:HistoryLoad)-[r:RECORDS]->() RETURN count(r) AS links }
CALL () { MATCH (a:HistoryAccess) RETURN count(a) AS accessRecords, sum(a.bytes) AS accessBytes }
RETURN loads, facts, factBytes, links, accessRecords, accessBytes
