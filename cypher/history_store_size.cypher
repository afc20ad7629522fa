// What history holds: loads, facts, and load-to-fact links (the store growth per load is read from these).
CALL () { MATCH (l:HistoryLoad) RETURN count(l) AS loads }
CALL () { MATCH (f:HistoryFact) RETURN count(f) AS facts, sum(size(f.body)) AS factBytes }
CALL () { MATCH (:HistoryLoad)-[r:RECORDS]->() RETURN count(r) AS links }
RETURN loads, facts, factBytes, links
