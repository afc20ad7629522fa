// Delete every relationship the account's entities own; the new snapshot recreates them. Returns the
// nodes they pointed at that may be left orphaned (placeholders, unknown policies, external principals,
// accounts known only from a trust policy).
MATCH (:Account {id: $accountId})<-[:IN_ACCOUNT]-(n)
MATCH (n)-[r:MEMBER_OF|HAS_POLICY|HAS_BOUNDARY|TRUSTS]->(t)
WITH r, t, (t.placeholder = true OR t.known = false OR t:ExternalPrincipal OR t.loaded = false) AS candidate
DELETE r
WITH t WHERE candidate
RETURN collect(DISTINCT elementId(t)) AS candidates
