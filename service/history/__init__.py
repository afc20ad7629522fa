"""History: every load recorded with its fact set, and the differences between loads (docs/history.md).

facts (pure: a load's fact set) → store (reads recorded loads) → source (a past world as a GraphSource) →
changes (entities, documents, memberships) and access (who gained or lost a role) → baseline (CI gates).
Kept import-light: the loaders import `service.history.facts` on every load.
"""
