// Entities by key (ARN; account id; external principal key; organization ids) with what the details panel
// shows: policies (own and through groups), boundary and groups. $keys: the keys (one row per key found).
UNWIND $keys AS key
CALL (key) {
  MATCH (n:Principal {arn: key}) RETURN n
  UNION MATCH (n:Group {arn: key}) RETURN n
  UNION MATCH (n:Policy {arn: key}) RETURN n
  UNION MATCH (n:Account {id: key}) RETURN n
  UNION MATCH (n:ExternalPrincipal {key: key}) RETURN n
  UNION MATCH (n:OrgPolicy {arn: key}) RETURN n
  UNION MATCH (n:Organization {id: key}) RETURN n
  UNION MATCH (n:OrgRoot {id: key}) RETURN n
  UNION MATCH (n:OrganizationalUnit {id: key}) RETURN n
  UNION MATCH (n:Resource {arn: key}) RETURN n
}
WITH key, n
RETURN key, properties(n) AS properties, labels(n) AS labels,
       [(n)-[:HAS_POLICY]->(p:Policy) | {arn: p.arn, name: p.name, kind: p.kind, known: p.known,
                                         document: p.document, via: null}]
     + [(n)-[:MEMBER_OF]->(g:Group)-[:HAS_POLICY]->(p:Policy) | {arn: p.arn, name: p.name, kind: p.kind,
                                         known: p.known, document: p.document, via: g.arn}] AS policies,
       [(n)-[:HAS_BOUNDARY]->(b:Policy) | {arn: b.arn, name: b.name, kind: b.kind, known: b.known,
                                          document: b.document, via: null}] AS boundaries,
       [(n)-[:MEMBER_OF]->(g:Group) | {properties: properties(g), labels: labels(g)}] AS groups
