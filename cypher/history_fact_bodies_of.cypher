// The bodies of these facts, by hash: two loads of a unit share all but their changed facts. $hashes.
UNWIND $hashes AS hash
MATCH (f:HistoryFact {hash: hash})
RETURN f.hash AS hash, f.body AS body
