// Full-text search over names, ARNs and ids (the entity_search index). $text: a Lucene query built by the
// service from the user's words (escaped); $first: how many.
CALL db.index.fulltext.queryNodes('entity_search', $text) YIELD node, score
RETURN node {.arn, .key, .id, .name, .accountId, .kind, .value, .type} AS properties, labels(node) AS labels, score
ORDER BY score DESC, properties.name
LIMIT $first
