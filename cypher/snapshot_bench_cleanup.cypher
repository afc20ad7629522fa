// bench/bench_load.py: what a synthetic load leaves once its account snapshot has been emptied: the
// synthetic AWS managed policies (global, so an account reload never removes them) and account nodes
// nothing points at any more.
CALL () {
  MATCH (p:Policy) WHERE p.arn STARTS WITH $policyPrefix DETACH DELETE p
}
CALL () {
  UNWIND $accountIds AS id
  MATCH (a:Account {id: id})
  WHERE NOT EXISTS { (a)--() }
  DELETE a
}
