// The account whose snapshot is being replaced: loaded from now on (a placeholder becomes real). loadId
// changes with every load, so readers that keep a copy of the account (the API's principal index) notice.
MERGE (a:Account {id: $accountId})
SET a.loaded = true, a.loadedAt = $loadedAt, a.loadId = randomUUID(), a.source = $source,
    a.alias = coalesce($alias, a.alias)
