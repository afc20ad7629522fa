// The organization whose snapshot is being replaced; loadId changes with every load (see load_account_begin).
MERGE (o:Organization {id: $org.id})
SET o = $org, o.loadId = randomUUID()
