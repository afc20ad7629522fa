// Delete the access records beyond the newest $keep (as many as loads are kept per unit), and those of
// worlds one of whose loads is gone (pruned): such a world is no longer compared.
CALL () {
  MATCH (a:HistoryAccess)
  WITH a ORDER BY a.time DESC SKIP $keep
  DETACH DELETE a
}
MATCH (a:HistoryAccess)
WHERE COUNT { (a)-[:OF]->(:HistoryLoad) } < size(a.world)
DETACH DELETE a
