// When each account's credential report and security snapshot were loaded (#16): one row per load marker.
// The audit remembers its findings until these (or the generation) change: a security load leaves loadIds alone.
MATCH (n:CredentialReport)
RETURN n.accountId AS accountId, 'report' AS kind, elementId(n) AS id, n.loadedAt AS loadedAt
UNION ALL
MATCH (n:SecuritySnapshot)
RETURN n.accountId AS accountId, 'snapshot' AS kind, elementId(n) AS id, n.loadedAt AS loadedAt
