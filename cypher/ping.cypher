// Readiness: the configured database answers a read transaction.
RETURN 1 AS ok
