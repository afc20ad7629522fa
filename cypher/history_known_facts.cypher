// Which of these fact hashes the store already holds: their bodies need not be sent again. $hashes.
UNWIND $hashes AS hash
MATCH (f:HistoryFact {hash: hash})
RETURN collect(hash) AS known
