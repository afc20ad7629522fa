// Delete the access records of worlds one of whose loads is gone (pruned): such a world is no longer
// compared.
MATCH (a:HistoryAccess)
WHERE COUNT { (a)-[:OF]->(:HistoryLoad) } < size(a.world)
DETACH DELETE a
