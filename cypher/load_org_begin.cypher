MERGE (o:Organization {id: $org.id})
SET o = $org
