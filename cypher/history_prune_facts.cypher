// Facts no remaining load records. Locked (a write) before the check, as in load_account_demote: a
// concurrent load may be linking its load to the same fact, and has committed once the lock is ours.
UNWIND $hashes AS hash
MATCH (f:HistoryFact {hash: hash})
SET f.pruneLock = true
REMOVE f.pruneLock
WITH f
WHERE NOT EXISTS { (f)<-[:RECORDS]-(:HistoryLoad) }
DELETE f
RETURN count(*) AS deleted
