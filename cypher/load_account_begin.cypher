// The account whose snapshot is being replaced: loaded from now on (a placeholder becomes real).
MERGE (a:Account {id: $accountId})
SET a.loaded = true, a.loadedAt = $loadedAt, a.source = $source, a.alias = coalesce($alias, a.alias)
