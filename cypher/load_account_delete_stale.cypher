// Entities gone from the new snapshot, nobody else points at them: delete.
MATCH (:Account {id: $accountId})<-[:IN_ACCOUNT]-(n)
WHERE NOT n.arn IN $keep
DETACH DELETE n
RETURN count(*) AS deleted
