// bench/bench_scale.py: how big the graph is, and which accounts are loaded (to spot another run's leftovers).
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
CALL () { MATCH (a:Account {loaded: true}) RETURN collect(a.id) AS loadedAccounts }
RETURN nodes, relationships, loadedAccounts
