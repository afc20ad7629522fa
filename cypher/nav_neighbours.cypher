// The relationships of one entity, a page at a time, in a stable order. $key, $offset, $first.
CALL () {
  MATCH (n:Principal {arn: $key}) RETURN n
  UNION MATCH (n:Group {arn: $key}) RETURN n
  UNION MATCH (n:Policy {arn: $key}) RETURN n
  UNION MATCH (n:Account {id: $key}) RETURN n
  UNION MATCH (n:ExternalPrincipal {key: $key}) RETURN n
  UNION MATCH (n:OrgPolicy {arn: $key}) RETURN n
  UNION MATCH (n:Organization {id: $key}) RETURN n
  UNION MATCH (n:OrgRoot {id: $key}) RETURN n
  UNION MATCH (n:OrganizationalUnit {id: $key}) RETURN n
  UNION MATCH (n:Resource {arn: $key}) RETURN n
}
WITH n LIMIT 1
OPTIONAL MATCH (n)-[r]-(m)
WITH n, r, m ORDER BY type(r), coalesce(m.arn, m.key, m.id)
WITH n, [item IN collect({r: r, m: m}) WHERE item.r IS NOT NULL] AS everything
RETURN properties(n) AS properties, labels(n) AS labels, size(everything) AS total,
       [item IN everything[$offset..($offset + $first)] | {
          type: type(item.r), outgoing: startNode(item.r) = n, relProperties: properties(item.r),
          properties: {arn: item.m.arn, key: item.m.key, id: item.m.id, name: item.m.name,
                       accountId: item.m.accountId, kind: item.m.kind, value: item.m.value, type: item.m.type,
                       loaded: item.m.loaded, known: item.m.known, placeholder: item.m.placeholder},
          labels: labels(item.m)
       }] AS page
