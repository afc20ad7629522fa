// When the newest load was recorded (bench/scale_history.py diffs the next reload against it).
MATCH (l:HistoryLoad)
RETURN max(l.time) AS time
