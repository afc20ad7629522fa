// When each account's credential report and security snapshot were loaded (#16): a load marker each, in one
// row (as reach_generation: every escalation question reads them too).
// The audit remembers its findings until these (or the generation) change: a security load leaves loadIds alone.
CALL () {
  MATCH (n:CredentialReport)
  RETURN n.accountId AS accountId, 'report' AS kind, elementId(n) AS id, n.loadedAt AS loadedAt
  UNION ALL
  MATCH (n:SecuritySnapshot)
  RETURN n.accountId AS accountId, 'snapshot' AS kind, elementId(n) AS id, n.loadedAt AS loadedAt
}
RETURN collect({accountId: accountId, kind: kind, id: id, loadedAt: loadedAt}) AS markers
