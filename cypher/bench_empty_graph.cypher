// bench/bench_scale.py --empty-first: delete every node in batches. Needs an auto-commit transaction.
MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
