// reach_account_groups for several accounts ($accountIds), one row per account that has groups.
UNWIND $accountIds AS accountId
MATCH (:Account {id: accountId})<-[:IN_ACCOUNT]-(g:Group)
RETURN accountId, collect({arn: g.arn, name: g.name, policies: [(g)-[:HAS_POLICY]->(pol:Policy) | pol.arn]}) AS groups
