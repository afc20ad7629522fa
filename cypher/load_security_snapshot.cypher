// The account's security snapshot: password policy and account summary as JSON text, the root user's MFA
// and access keys (from the summary), what the collector could not read. $accountId, $snapshot.
CREATE (snapshot:SecuritySnapshot)
SET snapshot = $snapshot, snapshot.accountId = $accountId
