// The facts of each pair of loads of one unit that only one of the two recorded, with their bodies: two loads
// share every unchanged fact (one node per content hash), so this is their difference, at the cost of what
// changed. $pairs: [{before, after}], load ids, either null (the unit was not loaded then: all the other's).
UNWIND $pairs AS pair
CALL {
  WITH pair
  MATCH (:HistoryLoad {id: pair.before})-[:RECORDS]->(f:HistoryFact)
  WHERE pair.after IS NULL OR NOT EXISTS { (f)<-[:RECORDS]-(:HistoryLoad {id: pair.after}) }
  RETURN 'before' AS side, f
  UNION
  WITH pair
  MATCH (:HistoryLoad {id: pair.after})-[:RECORDS]->(f:HistoryFact)
  WHERE pair.before IS NULL OR NOT EXISTS { (f)<-[:RECORDS]-(:HistoryLoad {id: pair.before}) }
  RETURN 'after' AS side, f
}
RETURN pair.before AS before, pair.after AS after, side, f.kind AS kind, f.key AS key, f.hash AS hash, f.body AS body
