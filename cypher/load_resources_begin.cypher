// The account whose resources are being replaced; a placeholder (loaded: false) when its IAM snapshot is
// not loaded. s3PublicAccessBlock: the account's S3 Block Public Access setting as JSON (null: none set).
// Which load wrote them is on the account's ResourceSnapshot (loadId changes with every resource load, so
// readers keeping a copy notice); the Account's own loadedAt/loadId/source stay its IAM snapshot's.
MERGE (a:Account {id: $accountId})
ON CREATE SET a.loaded = false
SET a.resourcesLoaded = true, a.s3PublicAccessBlock = $accountPublicAccessBlock
MERGE (s:ResourceSnapshot {id: $accountId})
SET s.loadedAt = $loadedAt, s.loadId = randomUUID(), s.source = $source
MERGE (s)-[:SNAPSHOT_OF]->(a)
