// bench/scale_history.py: the whole store's size (nodes, relationships, properties), for its growth per load.
CALL () { MATCH (n) RETURN count(n) AS nodes, sum(size(keys(n))) AS nodeProperties }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships, sum(size(keys(r))) AS relationshipProperties }
RETURN nodes, relationships, nodeProperties + relationshipProperties AS properties
