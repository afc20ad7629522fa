// The newest access record's numbering of roles (its lineage and roles), which the next record continues.
MATCH (a:HistoryAccess)
RETURN a.format AS format, a.lineage AS lineage, a.roles AS roles
ORDER BY a.time DESC
LIMIT 1
